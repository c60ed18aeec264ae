// Hugging Face's BertPreTrainedModel._init_weights: the family-independent initialisation.
export { initialParamValue } from '../../param-init';
