import { describe, expect, it } from 'vitest';
import { applyLineRepairs, type LineRepair } from '../../src/fix/line-edits.js';
import { debianGeneratedNetRulesFor } from '../helpers/fix-fixtures.js';

const RULES_PATH = '/etc/udev/rules.d/70-persistent-net.rules';

/** As udev's write_net_rules writes it (Debian 7, two e1000 cards): the header, then a blank line, a comment and a rule per card. */
const GENERATED = debianGeneratedNetRulesFor([{ mac: '52:54:00:12:34:56', name: 'eth0' }, { mac: '52:54:00:12:34:57', name: 'eth1' }]);

const removeLines = (lines: Array<[number, number]>, removeFileWhenNothingLeft?: boolean, path = RULES_PATH): LineRepair =>
  ({ kind: 'remove-lines', path, lines, ...(removeFileWhenNothingLeft === undefined ? {} : { removeFileWhenNothingLeft }) });

function edited(text: string | Buffer, repairs: LineRepair[]): string {
  const result = applyLineRepairs(Buffer.isBuffer(text) ? text : Buffer.from(text), repairs);
  if (result.kind !== 'content') throw new Error(`expected content, got ${result.kind}`);
  return result.content.toString('latin1');
}

describe('applyLineRepairs', () => {
  it('removes one card\'s comment and rule from the generated file and keeps every other byte', () => {
    expect(edited(GENERATED, [removeLines([[7, 8]], true)])).toBe(GENERATED.split('\n').filter((_, i) => i !== 6 && i !== 7).join('\n'));
  });

  it('applies several repairs against the original numbering, and removes the file when only the header is left', () => {
    // Given in reverse order: the numbering is the original file's, not the one after the first removal.
    const both = [removeLines([[10, 11]], true), removeLines([[7, 8]], true)];
    expect(applyLineRepairs(Buffer.from(GENERATED), both)).toEqual({ kind: 'remove-file' });
    // Without the flag the file stays, holding its header and blank lines.
    expect(edited(GENERATED, [removeLines([[10, 11]]), removeLines([[7, 8]])])).toBe(GENERATED.split('\n').slice(0, 6).join('\n') + '\n\n');
  });

  it('keeps the file when a line other than a comment is left, even with the flag', () => {
    const withOther = `${GENERATED}SUBSYSTEM=="net", ACTION=="add", KERNELS=="0000:00:03.0", NAME="lan0"\n`;
    const result = edited(withOther, [removeLines([[7, 8]], true), removeLines([[10, 11]], true)]);
    expect(result).toBe(`${GENERATED.split('\n').slice(0, 6).join('\n')}\n\nSUBSYSTEM=="net", ACTION=="add", KERNELS=="0000:00:03.0", NAME="lan0"\n`);
  });

  it('treats indented comments and whitespace-only lines as nothing left', () => {
    const text = '  # indented comment\n\t \r\nATTR{address}=="52:54:00:12:34:56", NAME="eth0"\n';
    expect(applyLineRepairs(Buffer.from(text), [removeLines([[3, 3]], true)])).toEqual({ kind: 'remove-file' });
    expect(applyLineRepairs(Buffer.from('x\n'), [removeLines([[1, 1]], true)])).toEqual({ kind: 'remove-file' });
    expect(edited('x\n', [removeLines([[1, 1]])])).toBe('');
  });

  it('keeps CRLF endings, including on a replaced line', () => {
    const ifcfg = 'DEVICE=eth0\r\nHWADDR=52:54:00:12:34:56\r\nBOOTPROTO=dhcp\r\nONBOOT=yes\r\n';
    expect(edited(ifcfg, [removeLines([[2, 2]], false, '/etc/sysconfig/network-scripts/ifcfg-eth0')])).toBe('DEVICE=eth0\r\nBOOTPROTO=dhcp\r\nONBOOT=yes\r\n');
    const network = '[Match]\r\nMACAddress=52:54:00:12:34:56\r\n\r\n[Network]\r\nDHCP=yes\r\n';
    const replaced = edited(network, [{ kind: 'replace-line', path: '/etc/systemd/network/20-wired.network', line: 2, text: 'Name=en* eth*' }]);
    expect(replaced).toBe('[Match]\r\nName=en* eth*\r\n\r\n[Network]\r\nDHCP=yes\r\n');
  });

  it('handles a last line without a newline: removed, replaced, or kept as it is', () => {
    const text = '[ethernet]\nmac-address=52:54:00:12:34:56';
    expect(edited(text, [removeLines([[2, 2]])])).toBe('[ethernet]\n');
    expect(edited(text, [{ kind: 'replace-line', path: RULES_PATH, line: 2, text: 'mtu=1500' }])).toBe('[ethernet]\nmtu=1500');
    expect(edited(text, [removeLines([[1, 1]])])).toBe('mac-address=52:54:00:12:34:56');
    // A lone "\r" does not end a line.
    expect(edited('a\rb\nc', [removeLines([[1, 1]])])).toBe('c');
  });

  it('removes a rule continued with "\\" as one range and leaves its neighbours alone', () => {
    const text = [
      '# Hand-written.',
      'SUBSYSTEM=="net", ACTION=="add", \\',
      '  DRIVERS=="?*", \\',
      '  ATTR{address}=="52:54:00:aa:bb:02", NAME="wan"',
      'SUBSYSTEM=="net", ACTION=="add", ATTR{address}=="?*", NAME="any0"',
      '',
    ].join('\n');
    expect(edited(text, [removeLines([[2, 4]], true)])).toBe('# Hand-written.\nSUBSYSTEM=="net", ACTION=="add", ATTR{address}=="?*", NAME="any0"\n');
  });

  it('keeps bytes that are not UTF-8 exactly', () => {
    const text = Buffer.concat([Buffer.from('# caf'), Buffer.from([0xe9, 0xff]), Buffer.from('\nremove me\n\x00tail')]);
    const result = applyLineRepairs(text, [removeLines([[2, 2]])]);
    expect(result).toEqual({ kind: 'content', content: Buffer.concat([Buffer.from('# caf'), Buffer.from([0xe9, 0xff]), Buffer.from('\n\x00tail')]) });
  });

  it('merges overlapping removals, and accepts the same replacement twice', () => {
    const text = '1\n2\n3\n4\n5\n';
    expect(edited(text, [removeLines([[2, 3]]), removeLines([[3, 4], [2, 2]])])).toBe('1\n5\n');
    const twice: LineRepair = { kind: 'replace-line', path: RULES_PATH, line: 5, text: 'five' };
    expect(edited(text, [twice, { ...twice }])).toBe('1\n2\n3\n4\nfive\n');
    expect(edited(text, [])).toBe(text);
  });

  it('refuses line numbers outside the file and repairs that contradict each other', () => {
    const text = Buffer.from('one\ntwo\n');
    expect(() => applyLineRepairs(text, [removeLines([[2, 3]])])).toThrow(`${RULES_PATH}: a removal of lines 2-3 names line 3, but the file has 2 lines`);
    expect(() => applyLineRepairs(text, [removeLines([[0, 1]])])).toThrow('names line 0');
    expect(() => applyLineRepairs(text, [removeLines([[2, 1]])])).toThrow('a removal of lines 2-1 ends before it starts');
    expect(() => applyLineRepairs(Buffer.alloc(0), [{ kind: 'replace-line', path: RULES_PATH, line: 1, text: 'x' }])).toThrow('the file has no lines');
    expect(() => applyLineRepairs(text, [{ kind: 'replace-line', path: RULES_PATH, line: 1.5, text: 'x' }])).toThrow('names line 1.5');
    expect(() => applyLineRepairs(text, [removeLines([[1, 2]]), { kind: 'replace-line', path: RULES_PATH, line: 2, text: 'x' }])).toThrow('line 2 is to be both removed and replaced');
    expect(() => applyLineRepairs(text, [
      { kind: 'replace-line', path: RULES_PATH, line: 1, text: 'a' },
      { kind: 'replace-line', path: RULES_PATH, line: 1, text: 'b' },
    ])).toThrow('line 1 is to be replaced twice, with "a" and with "b"');
    expect(() => applyLineRepairs(text, [{ kind: 'replace-line', path: RULES_PATH, line: 1, text: 'a\nb' }])).toThrow('holds a line break');
    expect(() => applyLineRepairs(text, [removeLines([[1, 1]]), removeLines([[1, 1]], false, '/etc/other')])).toThrow(`line repairs for two files given together: ${RULES_PATH} and /etc/other`);
  });
});
