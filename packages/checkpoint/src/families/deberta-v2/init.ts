// Hugging Face's DebertaV2PreTrainedModel._init_weights is BERT's (rel_embeddings drawn like every
// embedding): the family-independent initialisation.
import { initialParamValue } from '../../param-init';

/** Initial value of one DeBERTa-v2 parameter (see initialParamValue). */
export const initialDebertaV2ParamValue = initialParamValue;
