import { SpotlintError } from '../errors.js';
import { findRule, RULES } from '../rules/registry.js';
import type { AnyRule, RuleLevel } from '../rules/rule.js';
import type { ResolvedConfig, RuleSetting } from './config.js';
import { didYouMean } from './did-you-mean.js';
import { RULE_LEVELS } from './rules-schema.js';

/**
 * `--rule ID` turns a rule on (at its default severity if it was off, else at
 * the level it has), `--rule ID=LEVEL` sets its level, `--disable ID` turns it
 * off and wins over `--rule`. Returns a new config; the one given is unchanged.
 */
export function applyCliOverrides(
  config: ResolvedConfig,
  overrides: { rules?: string[]; disable?: string[] },
): ResolvedConfig {
  const settings = new Map([...config.rules].map(([id, setting]) => [id, { ...setting }]));
  const settingOf = (rule: AnyRule): RuleSetting =>
    settings.get(rule.id) ?? { level: rule.defaultSeverity, options: { ...rule.defaultOptions } };
  for (const spec of overrides.rules ?? []) {
    const equals = spec.indexOf('=');
    const id = (equals === -1 ? spec : spec.slice(0, equals)).trim();
    const level = equals === -1 ? undefined : spec.slice(equals + 1).trim();
    const rule = requireRule(id, `--rule ${spec}`);
    const current = settingOf(rule);
    const newLevel = level === undefined
      ? (current.level === 'off' ? rule.defaultSeverity : current.level)
      : requireLevel(level, `--rule ${spec}`);
    settings.set(rule.id, { ...current, level: newLevel });
  }
  for (const id of overrides.disable ?? []) {
    const rule = requireRule(id.trim(), `--disable ${id}`);
    settings.set(rule.id, { ...settingOf(rule), level: 'off' });
  }
  return { ...config, rules: settings };
}


function requireRule(id: string, flag: string): AnyRule {
  const rule = findRule(id);
  if (rule) return rule;
  throw new SpotlintError(`${flag}: unknown rule ${JSON.stringify(id)}${didYouMean(id, RULES.map((r) => r.id))}`);
}

function requireLevel(level: string, flag: string): RuleLevel {
  if ((RULE_LEVELS as readonly string[]).includes(level)) return level as RuleLevel;
  throw new SpotlintError(`${flag}: severity must be one of ${RULE_LEVELS.join(', ')}${didYouMean(level, RULE_LEVELS)}`);
}
