// Label Studio labeling configs (XML) read with fast-xml-parser: which <Labels> control marks
// spans of which <Text> object, which task data key that object shows, and the relation labels.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { SpertError, type ErrorDetails } from '@spert/core';

/** What a text labeling config means for entity and relation extraction. */
export interface LabelStudioTextConfig {
  /** `name` of the `<Labels>` control: a region's `from_name`. */
  fromName: string;
  /** `name` of the `<Text>` object it labels: a region's `to_name`. */
  toName: string;
  /** The task data key the `<Text>` shows: `value="$text"` reads `task.data.text`. */
  dataKey: string;
  /** Entity labels as results carry them (a `<Label>`'s `alias` when it has one, else its `value`), in config order. */
  entityLabels: string[];
  /** `<Relation value>`s in config order (empty without `<Relations>`). */
  relationLabels: string[];
}

/**
 * Something Label Studio sent that cannot be used: a config that is not a text labeling config
 * (`INVALID_CONFIG`), labels that do not match the model's types (`LABEL_MISMATCH`), or a request
 * body of the wrong shape (`INVALID_REQUEST`, the message names the field).
 */
export class LabelStudioError extends SpertError {
  /** One of the three codes above. */
  declare readonly code: 'INVALID_CONFIG' | 'LABEL_MISMATCH' | 'INVALID_REQUEST';

  /** Builds the error with its stable code. */
  constructor(code: 'INVALID_CONFIG' | 'LABEL_MISMATCH' | 'INVALID_REQUEST', message: string, details: ErrorDetails = {}) {
    super(code, message, details);
    this.name = 'LabelStudioError';
  }
}

type XmlNode = Record<string, unknown> & { ':@'?: Record<string, string> };

interface Tag {
  name: string;
  attrs: Record<string, string>;
  children: Tag[];
}

function toTags(nodes: unknown): Tag[] {
  if (!Array.isArray(nodes)) return [];
  const out: Tag[] = [];
  for (const node of nodes as XmlNode[]) {
    const name = Object.keys(node).find((k) => k !== ':@' && k !== '#text' && k !== '#comment');
    if (name === undefined) continue;
    out.push({ name, attrs: node[':@'] ?? {}, children: toTags(node[name]) });
  }
  return out;
}

function* walk(tags: readonly Tag[]): Generator<Tag> {
  for (const t of tags) {
    yield t;
    yield* walk(t.children);
  }
}

/**
 * Reads a labeling config: the first `<Labels>` control over a `<Text>` object (its `name`, the
 * object's `name` and the data key of its `value="$key"`), its `<Label>`s and the `<Relation>`s of
 * `<Relations>`. Throws a {@link LabelStudioError} naming what is missing or malformed.
 */
export function parseLabelStudioConfig(xml: string, source = 'labeling config'): LabelStudioTextConfig {
  if (typeof xml !== 'string' || xml.trim() === '') throw new LabelStudioError('INVALID_CONFIG', `${source}: empty; expected Label Studio's XML labeling config (<View>...</View>)`);
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new LabelStudioError('INVALID_CONFIG', `${source}: not well-formed XML at line ${valid.err.line}, column ${valid.err.col}: ${valid.err.msg}`);
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', preserveOrder: true, allowBooleanAttributes: true, parseAttributeValue: false, parseTagValue: false });
  const tags = [...walk(toTags(parser.parse(xml)))];
  const texts = new Map(tags.filter((t) => t.name === 'Text' && t.attrs.name).map((t) => [t.attrs.name, t]));
  const controls = tags.filter((t) => t.name === 'Labels');
  const control = controls.find((c) => texts.has(c.attrs.toName ?? ''));
  if (!control) {
    const found = controls.map((c) => `<Labels name="${c.attrs.name ?? ''}" toName="${c.attrs.toName ?? ''}">`).join(', ');
    throw new LabelStudioError(
      'INVALID_CONFIG',
      `${source}: no <Labels> control over a <Text> object (${found ? `found ${found}; the <Text> objects are ${[...texts.keys()].join(', ') || 'none'}` : 'found no <Labels>'}); ` +
        'entity and relation extraction needs <Labels name="label" toName="text"> and <Text name="text" value="$text"/>',
    );
  }
  const text = texts.get(control.attrs.toName) as Tag;
  const value = text.attrs.value ?? '';
  const m = /^\$([A-Za-z0-9_.-]+)$/.exec(value.trim());
  if (!m) throw new LabelStudioError('INVALID_CONFIG', `${source}: <Text name="${text.attrs.name}"> has value="${value}"; expected a task data key such as value="$text"`);
  if (!control.attrs.name) throw new LabelStudioError('INVALID_CONFIG', `${source}: the <Labels> control over <Text name="${text.attrs.name}"> has no name`);
  const entityLabels = control.children.filter((c) => c.name === 'Label').map((c) => c.attrs.alias ?? c.attrs.value ?? '');
  if (entityLabels.length === 0 || entityLabels.some((l) => l === '')) {
    throw new LabelStudioError('INVALID_CONFIG', `${source}: <Labels name="${control.attrs.name}"> needs <Label value="..."/> children, each with a value`);
  }
  const relationLabels = tags.filter((t) => t.name === 'Relations').flatMap((r) => r.children.filter((c) => c.name === 'Relation').map((c) => c.attrs.value ?? ''));
  if (relationLabels.some((l) => l === '')) throw new LabelStudioError('INVALID_CONFIG', `${source}: a <Relation> has no value`);
  return { fromName: control.attrs.name, toName: text.attrs.name, dataKey: m[1] as string, entityLabels, relationLabels };
}

/**
 * Checks that a config's labels are exactly the model's types (both ways): a label the model
 * does not know, or a model type missing from the config, throws a {@link LabelStudioError}
 * listing both sides, so nothing is dropped silently.
 */
export function assertConfigMatchesTypes(config: LabelStudioTextConfig, model: { entityTypes: readonly string[]; relationTypes: readonly string[] }, source = 'labeling config'): void {
  const problems: string[] = [];
  const compare = (what: string, labels: readonly string[], types: readonly string[]) => {
    const unknown = labels.filter((l) => !types.includes(l));
    const missing = types.filter((t) => !labels.includes(t));
    if (unknown.length) problems.push(`${what} label${unknown.length > 1 ? 's' : ''} ${unknown.map((l) => JSON.stringify(l)).join(', ')} the model does not know`);
    if (missing.length) problems.push(`model ${what} type${missing.length > 1 ? 's' : ''} ${missing.map((l) => JSON.stringify(l)).join(', ')} missing from the config`);
  };
  compare('entity', config.entityLabels, model.entityTypes);
  compare('relation', config.relationLabels, model.relationTypes);
  if (problems.length === 0) return;
  throw new LabelStudioError(
    'LABEL_MISMATCH',
    `${source}: ${problems.join('; ')}. Config: entities [${config.entityLabels.join(', ')}], relations [${config.relationLabels.join(', ')}]; ` +
      `model: entities [${model.entityTypes.join(', ')}], relations [${model.relationTypes.join(', ')}]. ` +
      'Make the <Label>/<Relation> values the model\'s types (labelStudioConfig writes such a config), or train a model on this config.',
  );
}
