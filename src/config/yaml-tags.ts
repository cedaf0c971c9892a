import YAML, { isNode, isPair, isSeq, type Document } from 'yaml';
import { formatPath, type ConfigIssue } from './issues.js';
import type { Path } from './introspect.js';

// power2mqtt reads plain YAML. A custom tag (`!secret mqtt_password`, `!env`, `!include`) is not
// resolved by the yaml library: it would load the bare text (`mqtt_password`) as the value, which
// for a password or community is a silent misconfiguration. So a tag outside YAML's own `!!`
// set is a config error naming the key, with the way power2mqtt does secrets as the fix.

const CORE_TAG_PREFIX = 'tag:yaml.org,2002:';

/** Issues for every node carrying a tag the yaml core schema does not know. */
export function unknownTagIssues(doc: Document): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  YAML.visit(doc, (_key, node, ancestors) => {
    if (!isNode(node) || node.tag === undefined || node.tag.startsWith(CORE_TAG_PREFIX)) return;
    issues.push({
      path: formatPath(keyPath([...ancestors, node])),
      message: `unknown YAML tag ${node.tag}: power2mqtt reads plain YAML values`,
      hint: 'write the value itself; for a secret use an environment variable, e.g. POWER2MQTT_MQTT__PASSWORD or …_FILE=/run/secrets/name (docs/CONFIG.md)',
    });
  });
  return issues;
}

/** Key names and list indexes from the document root down to the last node of `chain`. */
function keyPath(chain: readonly unknown[]): Path {
  const path: Array<string | number> = [];
  for (let i = 0; i < chain.length; i++) {
    const here = chain[i];
    const next = chain[i + 1];
    if (isPair(here)) {
      const key = isNode(here.key) ? (here.key as { toJSON(): unknown }).toJSON() : here.key;
      path.push(typeof key === 'number' ? key : String(key));
    } else if (isSeq(here) && next !== undefined) {
      path.push(here.items.indexOf(next as never));
    }
  }
  return path;
}
