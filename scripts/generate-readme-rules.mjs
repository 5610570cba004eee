#!/usr/bin/env node
// Rewrites the rule table in README.md from the rule registry.
// Run after `npm run build` (npm run readme does both).
import { readFileSync, writeFileSync } from 'node:fs';
import { RULES } from '../dist/rules/registry.js';
import { renderRulesMarkdown } from '../dist/report/rules-catalog.js';

const START = '<!-- rules:start -->\n';
const END = '<!-- rules:end -->';
const path = new URL('../README.md', import.meta.url);
const readme = readFileSync(path, 'utf8');
const from = readme.indexOf(START);
const to = readme.indexOf(END);
if (from === -1 || to === -1) throw new Error('README.md has no <!-- rules:start --> / <!-- rules:end --> markers');
writeFileSync(path, readme.slice(0, from + START.length) + renderRulesMarkdown(RULES) + readme.slice(to));
