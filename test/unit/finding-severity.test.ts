import { describe, expect, it } from 'vitest';
import { findingSeverity } from '../../src/rules/rule.js';

describe('findingSeverity', () => {
  const errorRule = { defaultSeverity: 'error' as const };

  it('keeps a finding\'s own severity when the rule runs at its default level', () => {
    expect(findingSeverity(errorRule, 'error', undefined)).toBe('error');
    expect(findingSeverity(errorRule, 'error', 'warning')).toBe('warning');
    expect(findingSeverity(errorRule, 'error', 'info')).toBe('info');
    expect(findingSeverity(errorRule, undefined, 'warning')).toBe('warning');
  });

  it('turns every finding down with the rule', () => {
    expect(findingSeverity(errorRule, 'info', undefined)).toBe('info');
    expect(findingSeverity(errorRule, 'info', 'warning')).toBe('info');
    expect(findingSeverity(errorRule, 'warning', 'warning')).toBe('warning');
    expect(findingSeverity(errorRule, 'warning', 'info')).toBe('info');
  });

  it('turns only the main findings up, never an informational note', () => {
    const warningRule = { defaultSeverity: 'warning' as const };
    expect(findingSeverity(warningRule, 'error', undefined)).toBe('error');
    expect(findingSeverity(warningRule, 'error', 'warning')).toBe('error');
    expect(findingSeverity(warningRule, 'error', 'info')).toBe('info');
  });
});
