"""Checks the transformers stand-in's BertModel against Hugging Face's own outputs on the tiny-bert
fixture (../shared/fixtures/tiny-bert): last hidden states at non-padded positions within 1e-4."""
import json
import sys

import torch

sys.path.insert(0, __file__.rsplit('/', 1)[0])
from transformers import BertConfig, BertModel  # noqa: E402

fixture = sys.argv[1] if len(sys.argv) > 1 else '../shared/fixtures/tiny-bert'
config = BertConfig.from_pretrained(fixture, hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0)
model = BertModel(config)
state = torch.load(f'{fixture}/pytorch_model.bin', map_location='cpu')
renamed = {}
for k, v in state.items():
    k = k.replace('LayerNorm.gamma', 'LayerNorm.weight').replace('LayerNorm.beta', 'LayerNorm.bias')
    if k.startswith('bert.'):
        renamed[k[len('bert.'):]] = v
missing, unexpected = model.load_state_dict(renamed, strict=False)
assert not missing, missing
model.eval()
exp = json.load(open(f'{fixture}/expected_hidden_states.json'))
ids = torch.tensor(exp['input_ids'])
mask = torch.tensor(exp['attention_mask'])
with torch.no_grad():
    h = model(ids, attention_mask=mask.float(), token_type_ids=torch.tensor(exp['token_type_ids']))['last_hidden_state']
want = torch.tensor(exp['last_hidden_state'])
diff = ((h - want).abs() * mask.unsqueeze(-1)).max().item()
print(f'tiny-bert: max |shim - Hugging Face| at non-padded positions = {diff:.2e}')
sys.exit(0 if diff < 1e-4 else 1)
