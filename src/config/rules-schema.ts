import { RULES } from '../rules/registry.js';
import { SEVERITIES, type AnyRule } from '../rules/rule.js';
import { FAIL_ON_VALUES } from '../report/lint-report.js';

/** What a rule entry may say, in the order messages list them. */
export const RULE_LEVELS = [...SEVERITIES, 'off'] as const;
/** What `failOn` may say. */

export const CONFIG_FILE_NAME = 'spotlint.config.json';

const levelSchema = { type: 'string', enum: [...RULE_LEVELS] };

/**
 * A rule entry, ESLint-style: `"warning"`, `["warning"]` or `["warning", {options}]`.
 * Branches told apart by type and length, so a validation error can be traced
 * to the one form the user meant (see collapseAlternatives in load-config.ts).
 */
function ruleEntrySchema(rule: AnyRule): object {
  return {
    description: `${rule.title}. Default: ${rule.defaultSeverity}.`,
    default: rule.defaultSeverity,
    anyOf: [
      levelSchema,
      { type: 'array', prefixItems: [levelSchema], minItems: 1, items: false },
      { type: 'array', prefixItems: [levelSchema, rule.options], minItems: 2, items: false },
    ],
  };
}

/**
 * The JSON Schema of spotlint.config.json. rules.schema.json at the repository
 * root is this, written by `npm run schemas`; a test keeps the two equal.
 */
export function buildRulesSchema(rules: readonly AnyRule[] = RULES): object {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'urn:spotlint:rules.schema.json',
    title: 'spotlint configuration',
    description: `The ${CONFIG_FILE_NAME} file: rule levels and options, the severity that fails a run, and accepted findings.`,
    type: 'object',
    properties: {
      $schema: { type: 'string', description: 'This schema, for editors: ./node_modules/spotlint/rules.schema.json' },
      rules: {
        type: 'object',
        description: 'Rule id -> level ("error", "warning", "info", "off"), [level] or [level, options]. Unlisted rules keep their default level and options.',
        properties: Object.fromEntries(rules.map((rule) => [rule.id, ruleEntrySchema(rule)])),
        additionalProperties: false,
      },
      failOn: {
        type: 'string',
        enum: [...FAIL_ON_VALUES],
        description: 'Lowest severity of an unwaived finding that makes the run fail (exit code 1); "none" never fails.',
      },
      waivers: {
        type: 'array',
        description: 'Findings the team has accepted: they are reported as suppressed and do not fail the run.',
        items: {
          type: 'object',
          properties: {
            rule: { type: 'string', enum: rules.map((rule) => rule.id), description: 'Id of the rule whose findings are accepted.' },
            path: { type: 'string', pattern: '^/', description: 'Absolute path inside the guest; absent = anywhere.' },
            partition: { type: 'integer', minimum: 1, description: 'Partition number (as in /dev/sda2: 2); absent = any.' },
            reason: { type: 'string', minLength: 1, description: 'Why this is acceptable, for the next reader.' },
            expires: { type: 'string', format: 'date', description: 'Last day (YYYY-MM-DD, inclusive, in UTC) the waiver applies.' },
          },
          required: ['rule', 'reason'],
          additionalProperties: false,
        },
      },
    },
    additionalProperties: false,
  };
}
