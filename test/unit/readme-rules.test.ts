import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderRulesMarkdown } from '../../src/report/rules-catalog.js';
import { RULES } from '../../src/rules/registry.js';

describe('README rule table', () => {
  it('matches the rule registry (run `npm run readme` when it does not)', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const start = readme.indexOf('<!-- rules:start -->\n');
    const end = readme.indexOf('<!-- rules:end -->');
    expect(start, 'README.md lacks the rules markers').toBeGreaterThan(-1);
    expect(readme.slice(start + '<!-- rules:start -->\n'.length, end), 'the README rule table is stale: run npm run readme').toBe(renderRulesMarkdown(RULES));
  });
});

describe('rule metadata', () => {
  it.each(RULES.map((rule) => [rule.id, rule]))('%s quotes the appliance guide and says how to fix', (_, rule) => {
    const guide = readFileSync(new URL('../../../shared/guide/spotcloud-appliance-guide.txt', import.meta.url), 'utf8');
    expect(rule.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    expect(guide).toContain(rule.guideline);
    for (const text of [rule.title, rule.rationale, rule.checks, rule.howToFix]) expect(text.length).toBeGreaterThan(10);
  });
});
