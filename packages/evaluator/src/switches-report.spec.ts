import { parseTypes, SPERT_DEFAULTS, type PredictedDocument, type PredictionInput, type Predictor } from '@spert/core';
import { evaluatePredictor } from './evaluate-predictor';
import { formatRelationSwitches } from './switches-report';

const types = parseTypes({
  entities: { Loc: { short: 'Loc', verbose: 'Location' }, Peop: { short: 'Peop', verbose: 'People' } },
  relations: { Live_In: { short: 'Live', verbose: 'Live in', symmetric: false }, Kill: { short: 'Kill', verbose: 'Kill', symmetric: false } },
});

describe('the relation switches in evaluation reports', () => {
  it('shows the constraint table and the stored thresholds', () => {
    const text = formatRelationSwitches({
      ...SPERT_DEFAULTS,
      types,
      relationEntityTypes: 'embedding',
      relationTypeConstraints: 'train',
      relationTriples: [['Peop', 'Kill', 'Peop'], ['Peop', 'Live_In', 'Loc']],
      relFilterThreshold: 0.35,
      relThresholds: { Kill: 0.2 },
    });
    expect(text.split('\n')).toEqual([
      'Relation switches of this model:',
      'entity types into the relation head: embedding (width 25)',
      'relation thresholds per type: Live_In 0.35, Kill 0.20 (others 0.35)',
      'relation type constraints (train): 2 allowed triples, others never emitted',
      '  head  relation  tail',
      '  Peop  Kill      Peop',
      '  Peop  Live_In   Loc',
    ]);
  });
  it('adds nothing for a model configured as the reference', async () => {
    expect(formatRelationSwitches({ ...SPERT_DEFAULTS, types })).toBe('');
    const doc: PredictedDocument = { tokens: ['Ann'], entities: [{ type: 'Peop', start: 0, end: 1, score: 1 }], relations: [] };
    const predictor: Predictor = { predict: async () => [doc], metadata: () => ({ model: 'm', entityTypes: [], relationTypes: [] }) };
    const plain = await evaluatePredictor({ predictor, types, documents: [doc] });
    const withSettings = await evaluatePredictor({ predictor, types, documents: [doc], settings: { ...SPERT_DEFAULTS, types } });
    expect(withSettings.tables).toBe(plain.tables);
    const constrained = await evaluatePredictor({ predictor, types, documents: [doc], settings: { ...SPERT_DEFAULTS, types, relationTypeConstraints: 'train', relationTriples: [] } });
    expect(constrained.tables.startsWith(plain.tables)).toBe(true);
    expect(constrained.tables).toContain('relation type constraints (train): 0 allowed triples');
  });

  it('gives the model the gold entities with entitiesMode, and only then', async () => {
    const gold: PredictedDocument = { tokens: ['Ann', 'lives', 'in', 'Rome'], entities: [{ type: 'Peop', start: 0, end: 1, score: 1 }, { type: 'Loc', start: 3, end: 4, score: 1 }], relations: [{ type: 'Live_In', head: 0, tail: 1, score: 1 }] };
    const seen: PredictionInput[][] = [];
    // Echoes the given entities, as the pipeline does in mode "given", and relates the first two.
    const predictor: Predictor = {
      predict: async (inputs) => {
        seen.push([...inputs]);
        return inputs.map((input) => {
          const entities = (input.entities ?? []).map((e) => ({ ...(e as { type: string; start: number; end: number }), score: 1 }));
          return { tokens: input.kind === 'tokens' ? input.tokens : [], entities, relations: entities.length > 1 ? [{ type: 'Live_In', head: 0, tail: 1, score: 0.9 }] : [] };
        });
      },
      metadata: () => ({ model: 'm', entityTypes: [], relationTypes: [] }),
    };
    const predicted = await evaluatePredictor({ predictor, types, documents: [gold] });
    expect(seen[0]).toEqual([{ kind: 'tokens', tokens: gold.tokens }]);
    expect(predicted.result.relNec.micro.f1).toBe(0);
    const given = await evaluatePredictor({ predictor, types, documents: [gold], entitiesMode: 'given' });
    expect(seen[1]).toEqual([{ kind: 'tokens', tokens: gold.tokens, entities: [{ type: 'Peop', start: 0, end: 1 }, { type: 'Loc', start: 3, end: 4 }], entitiesMode: 'given' }]);
    expect(given.result.relNec.micro.f1).toBe(100);
  });
});
