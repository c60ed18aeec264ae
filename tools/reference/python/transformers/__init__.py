"""A minimal stand-in for the parts of Hugging Face `transformers` that the reference SpERT code
(lavis-nlp/spert) imports, so that its own sampling, model heads and loss run unchanged on a machine
without `transformers` (Debian has python3-torch, not transformers); and BertForMaskedLM, the
PyTorch side of the masked-LM speed comparison (mlm_bench.py, which checks it against
../shared/fixtures/tiny-bert-mlm). BertModel follows
transformers' modeling_bert (v4.x, eager attention, exact GELU) and is checked against
../shared/fixtures/tiny-bert/expected_hidden_states.json by check_shim.py; AdamW is the deprecated
transformers.AdamW (correct_bias as the reference passes it); the scheduler is
get_linear_schedule_with_warmup. The tokenizer looks word encodings up in a table written by our
TypeScript tokenizer (dump-encodings.ts), so both sides see identical input ids."""
import json
import math

import torch
from torch import nn


class BertConfig:
    def __init__(self, **kw):
        self.vocab_size = kw.get('vocab_size', 30522)
        self.hidden_size = kw.get('hidden_size', 768)
        self.num_hidden_layers = kw.get('num_hidden_layers', 12)
        self.num_attention_heads = kw.get('num_attention_heads', 12)
        self.intermediate_size = kw.get('intermediate_size', 3072)
        self.hidden_dropout_prob = kw.get('hidden_dropout_prob', 0.1)
        self.attention_probs_dropout_prob = kw.get('attention_probs_dropout_prob', 0.1)
        self.max_position_embeddings = kw.get('max_position_embeddings', 512)
        self.type_vocab_size = kw.get('type_vocab_size', 2)
        self.initializer_range = kw.get('initializer_range', 0.02)
        self.layer_norm_eps = kw.get('layer_norm_eps', 1e-12)
        self.pad_token_id = kw.get('pad_token_id', 0)
        self.hidden_act = kw.get('hidden_act', 'gelu')
        self.extra = {k: v for k, v in kw.items() if not hasattr(self, k)}

    @classmethod
    def from_pretrained(cls, path, **kw):
        with open(f'{path}/config.json') as f:
            d = json.load(f)
        d.update(kw)
        return cls(**d)

    def to_dict(self):
        d = {k: v for k, v in self.__dict__.items() if k != 'extra'}
        d.update(self.extra)
        d['model_type'] = 'bert'
        return d


class _Embeddings(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.word_embeddings = nn.Embedding(c.vocab_size, c.hidden_size, padding_idx=c.pad_token_id)
        self.position_embeddings = nn.Embedding(c.max_position_embeddings, c.hidden_size)
        self.token_type_embeddings = nn.Embedding(c.type_vocab_size, c.hidden_size)
        self.LayerNorm = nn.LayerNorm(c.hidden_size, eps=c.layer_norm_eps)
        self.dropout = nn.Dropout(c.hidden_dropout_prob)

    def forward(self, input_ids, token_type_ids):
        pos = torch.arange(input_ids.shape[1], device=input_ids.device).unsqueeze(0)
        e = self.word_embeddings(input_ids) + self.token_type_embeddings(token_type_ids) + self.position_embeddings(pos)
        return self.dropout(self.LayerNorm(e))


class _SelfAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.h = c.num_attention_heads
        self.d = c.hidden_size // c.num_attention_heads
        self.query = nn.Linear(c.hidden_size, c.hidden_size)
        self.key = nn.Linear(c.hidden_size, c.hidden_size)
        self.value = nn.Linear(c.hidden_size, c.hidden_size)
        self.dropout = nn.Dropout(c.attention_probs_dropout_prob)

    def split(self, x):
        b, n, _ = x.shape
        return x.view(b, n, self.h, self.d).permute(0, 2, 1, 3)

    def forward(self, x, mask):
        q, k, v = self.split(self.query(x)), self.split(self.key(x)), self.split(self.value(x))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.d) + mask
        probs = self.dropout(torch.softmax(scores, dim=-1))
        ctx = torch.matmul(probs, v).permute(0, 2, 1, 3).contiguous()
        return ctx.view(ctx.shape[0], ctx.shape[1], -1)


class _Out(nn.Module):
    def __init__(self, c, d_in):
        super().__init__()
        self.dense = nn.Linear(d_in, c.hidden_size)
        self.LayerNorm = nn.LayerNorm(c.hidden_size, eps=c.layer_norm_eps)
        self.dropout = nn.Dropout(c.hidden_dropout_prob)

    def forward(self, x, residual):
        return self.LayerNorm(self.dropout(self.dense(x)) + residual)


class _Attention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.self = _SelfAttention(c)
        self.output = _Out(c, c.hidden_size)

    def forward(self, x, mask):
        return self.output(self.self(x, mask), x)


class _Intermediate(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c.hidden_size, c.intermediate_size)

    def forward(self, x):
        return nn.functional.gelu(self.dense(x))


class _Layer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.attention = _Attention(c)
        self.intermediate = _Intermediate(c)
        self.output = _Out(c, c.intermediate_size)

    def forward(self, x, mask):
        a = self.attention(x, mask)
        return self.output(self.intermediate(a), a)


class _Encoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.layer = nn.ModuleList([_Layer(c) for _ in range(c.num_hidden_layers)])

    def forward(self, x, mask):
        for layer in self.layer:
            x = layer(x, mask)
        return x


class _Pooler(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c.hidden_size, c.hidden_size)
        self.activation = nn.Tanh()

    def forward(self, h):
        return self.activation(self.dense(h[:, 0]))


class PreTrainedModel(nn.Module):
    base_model_prefix = 'bert'

    def __init__(self, config, *args, **kwargs):
        super().__init__()
        self.config = config

    def _init_weights(self, module):
        # transformers' BertPreTrainedModel._init_weights
        if isinstance(module, nn.Linear):
            module.weight.data.normal_(mean=0.0, std=self.config.initializer_range)
            if module.bias is not None:
                module.bias.data.zero_()
        elif isinstance(module, nn.Embedding):
            module.weight.data.normal_(mean=0.0, std=self.config.initializer_range)
            if module.padding_idx is not None:
                module.weight.data[module.padding_idx].zero_()
        elif isinstance(module, nn.LayerNorm):
            module.bias.data.zero_()
            module.weight.data.fill_(1.0)

    def init_weights(self):
        self.apply(self._init_weights)

    @classmethod
    def from_pretrained(cls, path, config=None, **kwargs):
        """As transformers: build (and initialise) the model, then load the weights the directory
        holds, whether saved with the base model's prefix or without; missing ones keep their init."""
        import os
        kwargs.pop('cache_dir', None)
        config = config if config is not None else BertConfig.from_pretrained(path)
        model = cls(config, **kwargs)
        if cls is BertModel:
            model.init_weights()
        file = f'{path}/pytorch_model.bin'
        if os.path.exists(file):
            own = model.state_dict()
            loaded = {}
            for k, v in torch.load(file, map_location='cpu').items():
                k = k.replace('LayerNorm.gamma', 'LayerNorm.weight').replace('LayerNorm.beta', 'LayerNorm.bias')
                if k not in own and f'{cls.base_model_prefix}.{k}' in own:
                    k = f'{cls.base_model_prefix}.{k}'
                if k in own:
                    loaded[k] = v
            model.load_state_dict(loaded, strict=False)
        return model

    def save_pretrained(self, path):
        import os
        os.makedirs(path, exist_ok=True)
        torch.save(self.state_dict(), f'{path}/pytorch_model.bin')
        with open(f'{path}/config.json', 'w') as f:
            json.dump(self.config.to_dict(), f, indent=2)


BertPreTrainedModel = PreTrainedModel


class BertModel(PreTrainedModel):
    def __init__(self, config, add_pooling_layer=True):
        super().__init__(config)
        self.embeddings = _Embeddings(config)
        self.encoder = _Encoder(config)
        self.pooler = _Pooler(config) if add_pooling_layer else None

    def forward(self, input_ids, attention_mask=None, token_type_ids=None):
        if attention_mask is None:
            attention_mask = torch.ones_like(input_ids, dtype=torch.float)
        if token_type_ids is None:
            token_type_ids = torch.zeros_like(input_ids)
        dtype = self.embeddings.word_embeddings.weight.dtype
        mask = (1.0 - attention_mask[:, None, None, :].to(dtype)) * torch.finfo(dtype).min
        h = self.encoder(self.embeddings(input_ids, token_type_ids), mask)
        return {'last_hidden_state': h, 'pooler_output': self.pooler(h) if self.pooler is not None else None}


class _PredictionHeadTransform(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c.hidden_size, c.hidden_size)
        self.LayerNorm = nn.LayerNorm(c.hidden_size, eps=c.layer_norm_eps)

    def forward(self, x):
        return self.LayerNorm(nn.functional.gelu(self.dense(x)))


class _LMPredictionHead(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.transform = _PredictionHeadTransform(c)
        # As modeling_bert: a bias-free decoder whose bias is the head's own `bias` parameter, and
        # whose weight BertForMaskedLM ties to the word embeddings.
        self.decoder = nn.Linear(c.hidden_size, c.vocab_size, bias=False)
        self.bias = nn.Parameter(torch.zeros(c.vocab_size))
        self.decoder.bias = self.bias

    def forward(self, x):
        return self.decoder(self.transform(x))


class _OnlyMLMHead(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.predictions = _LMPredictionHead(c)

    def forward(self, h):
        return self.predictions(h)


class BertForMaskedLM(PreTrainedModel):
    """transformers' BertForMaskedLM: BertModel without pooler, the `cls.predictions` head with
    the decoder tied to the word embeddings, the decoder applied at every position (as transformers
    does) and cross-entropy over the positions whose label is not -100."""

    def __init__(self, config):
        super().__init__(config)
        self.bert = BertModel(config, add_pooling_layer=False)
        self.cls = _OnlyMLMHead(config)
        self.init_weights()

    def init_weights(self):
        self.apply(self._init_weights)
        self.cls.predictions.bias.data.zero_()
        self.tie_weights()

    def tie_weights(self):
        self.cls.predictions.decoder.weight = self.bert.embeddings.word_embeddings.weight

    def load_hf_state_dict(self, state):
        """Loads a Hugging Face BertForMaskedLM state dict, with or without the tied decoder matrix
        (a pytorch_model.bin carries it, a model.safetensors leaves it out); returns the missing keys."""
        own = self.state_dict()
        loaded = {}
        for k, v in state.items():
            k = k.replace('LayerNorm.gamma', 'LayerNorm.weight').replace('LayerNorm.beta', 'LayerNorm.bias')
            if k in own:
                loaded[k] = v
        missing, _ = self.load_state_dict(loaded, strict=False)
        self.tie_weights()
        return [k for k in missing if k not in ('cls.predictions.decoder.weight', 'cls.predictions.decoder.bias')]

    def forward(self, input_ids, attention_mask=None, token_type_ids=None, labels=None):
        h = self.bert(input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids)['last_hidden_state']
        logits = self.cls(h)
        loss = None
        if labels is not None:
            loss = nn.functional.cross_entropy(logits.view(-1, self.config.vocab_size), labels.view(-1), ignore_index=-100)
        return {'loss': loss, 'logits': logits}


class PreTrainedTokenizer:
    pass


class BertTokenizer(PreTrainedTokenizer):
    """Looks words up in {"vocab": [...], "words": {word: [ids]}} written by dump-encodings.ts."""

    @classmethod
    def from_pretrained(cls, path, **kwargs):
        return cls(f'{path}/words.json')

    def save_pretrained(self, path):
        import os
        os.makedirs(path, exist_ok=True)
        with open(f'{path}/words.json', 'w') as f:
            json.dump({'vocab': self._vocab_list, 'words': self._words}, f)
        with open(f'{path}/vocab.txt', 'w') as f:
            f.write('\n'.join(self._vocab_list) + '\n')

    def __init__(self, table_path):
        with open(table_path) as f:
            t = json.load(f)
        self._vocab_list = t['vocab']
        self._vocab = {tok: i for i, tok in enumerate(t['vocab'])}
        self._words = t['words']
        self.vocab_size = len(t['vocab'])

    def encode(self, phrase, add_special_tokens=False):
        return list(self._words[phrase])

    def convert_tokens_to_ids(self, token):
        return self._vocab[token]


class AdamW(torch.optim.Optimizer):
    """transformers.AdamW (deprecated in v4, what the reference uses): decoupled weight decay
    applied after the Adam step, eps 1e-6, optional bias correction."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-6, weight_decay=0.0, correct_bias=True):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, correct_bias=correct_bias))

    @torch.no_grad()
    def step(self, closure=None):
        for group in self.param_groups:
            for p in group['params']:
                if p.grad is None:
                    continue
                grad = p.grad
                state = self.state[p]
                if len(state) == 0:
                    state['step'] = 0
                    state['exp_avg'] = torch.zeros_like(p)
                    state['exp_avg_sq'] = torch.zeros_like(p)
                exp_avg, exp_avg_sq = state['exp_avg'], state['exp_avg_sq']
                beta1, beta2 = group['betas']
                state['step'] += 1
                exp_avg.mul_(beta1).add_(grad, alpha=1.0 - beta1)
                exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1.0 - beta2)
                denom = exp_avg_sq.sqrt().add_(group['eps'])
                step_size = group['lr']
                if group['correct_bias']:
                    step_size = step_size * math.sqrt(1.0 - beta2 ** state['step']) / (1.0 - beta1 ** state['step'])
                p.addcdiv_(exp_avg, denom, value=-step_size)
                if group['weight_decay'] > 0.0:
                    p.add_(p, alpha=(-group['lr'] * group['weight_decay']))


def get_linear_schedule_with_warmup(optimizer, num_warmup_steps, num_training_steps, last_epoch=-1):
    def lr_lambda(step):
        if step < num_warmup_steps:
            return float(step) / float(max(1, num_warmup_steps))
        return max(0.0, float(num_training_steps - step) / float(max(1, num_training_steps - num_warmup_steps)))
    return torch.optim.lr_scheduler.LambdaLR(optimizer, lr_lambda, last_epoch)
