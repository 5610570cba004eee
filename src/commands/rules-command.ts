import { SpotlintError } from '../errors.js';
import { renderRuleExplanation, renderRulesJson, renderRulesTable } from '../report/rules-catalog.js';
import { findRule, RULES } from '../rules/registry.js';
import { didYouMean } from '../config/did-you-mean.js';

export function rulesCommand(json: boolean): string {
  return json ? renderRulesJson(RULES) : renderRulesTable(RULES);
}

export function explainCommand(id: string): string {
  const rule = findRule(id);
  if (!rule) {
    throw new SpotlintError(`unknown rule "${id}"${didYouMean(id, RULES.map((r) => r.id))}; spotlint rules lists them all`);
  }
  return renderRuleExplanation(rule);
}
