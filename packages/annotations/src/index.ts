export type { OffsetUnit, SpertMetadata, TextDocument, TextEntity, TextRelation } from './types';
export {
  countProblems,
  formatAnnotationProblem,
  formatSummary,
  type AnnotationProblem,
  type ConversionSummary,
  type ProblemKind,
} from './problems';
export { offsetMap, type OffsetMap } from './offsets';
export { sentenceRanges, type SentenceMode } from './sentences';
export { alignDocuments, type AlignOptions, type ConversionResult } from './align';
export { documentText, entityOffsets, type DocumentText, type ExportDocument } from './document-text';
export { bratAnnotationConf, formatBrat, parseBrat, type BratFiles, type ParseBratOptions } from './brat';
export {
  labelStudioConfig,
  parseLabelStudio,
  toLabelStudioTasks,
  type LabelStudioExportOptions,
  type LabelStudioLabelsResult,
  type LabelStudioRelationResult,
  type LabelStudioResultSet,
  type LabelStudioTask,
  type ParseLabelStudioOptions,
} from './label-studio';
export { formatDoccano, parseDoccano, type DoccanoRecord } from './doccano';
export {
  exportAnnotations,
  importAnnotations,
  readAnnotations,
  readExportDocuments,
  typesFromDocuments,
  type AnnotationFileSystem,
  type AnnotationFormat,
  type ExportAnnotationsOptions,
  type ReadAnnotationsOptions,
} from './files';
export { labelStudioTaskErrors } from './label-studio-format';
export { documentConfidence, leastConfident } from './confidence';
export { assertConfigMatchesTypes, LabelStudioError, parseLabelStudioConfig, type LabelStudioTextConfig } from './label-studio-config';
export {
  labelStudioProjectId,
  labelStudioTrainingDocuments,
  parsePredictRequest,
  parseSetupRequest,
  parseWebhook,
  toLabelStudioPrediction,
  TRAIN_EVENTS,
  type LabelStudioPrediction,
  type PredictRequest,
  type PredictTask,
  type SetupRequest,
  type TrainEvent,
  type TrainingDocumentsOptions,
  type WebhookEvent,
} from './label-studio-ml';
