export { listCorpusFiles, formatFromName, nodeCorpusFileSystem, type CorpusFile, type CorpusFileSystem, type CorpusFormat } from './corpus-files';
export {
  readCorpus,
  type BadLine,
  type Corpus,
  type CorpusDocument,
  type CorpusFileReport,
  type CorpusReport,
  type ReadCorpusOptions,
  type TextMode,
} from './read-corpus';
export { formatCorpusReport } from './format-report';
export { isValidationDocument, type CorpusSplit } from './validation-split';
export { countCorpusWords, type CountCorpusWordsOptions } from './count-words';
export { SequencePacker, packDocuments, type PackedSequence, type PackingTokenizer, type PackStats } from './pack';
export {
  SequenceStore,
  SequenceStoreError,
  SequenceStoreWriter,
  STORE_FILES,
  type StoredSequence,
  type StoreSidecar,
} from './sequence-store';
export {
  openOrBuildSequenceStore,
  tokenizerIdentity,
  type OpenOrBuildSequenceStoreOptions,
  type SequenceStoreMeta,
  type SequenceStoreResult,
  type TokenizerIdentity,
} from './build-store';
export { IGNORE_LABEL, maskForEpoch, maskSequence, type MaskedSequence, type MaskForEpochOptions, type MaskSequenceOptions } from './mask';
export { maskedBatch, type MaskedBatch, type MaskedBatchOptions, type SequenceSource } from './batch';
