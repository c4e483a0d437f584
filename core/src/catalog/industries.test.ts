import { describe, expect, it } from 'vitest';
import { INDUSTRY_TEMPLATES } from '../templates/index.ts';
import { INDUSTRIES, industriesMatching, industryOf } from './industries.ts';

describe('industries', () => {
  it('when listed, then codes are unique, labels Chinese (or KTV) and icons short ascii slugs', () => {
    expect(new Set(INDUSTRIES.map((i) => i.code)).size).toBe(INDUSTRIES.length);
    for (const i of INDUSTRIES) {
      expect(i.label).toMatch(/[\u4e00-\u9fff]|^KTV$/);
      expect(i.icon).toMatch(/^[a-z][a-z0-9_-]{1,15}$/);
    }
  });

  it('when a template names its industry, then the industry is listed', () => {
    const codes = new Set<string>(INDUSTRIES.map((i) => i.code));
    for (const t of INDUSTRY_TEMPLATES) expect(codes.has(t.industry)).toBe(true);
  });

  it('when a store has an unlisted industry, then it shows as 其他', () => {
    expect(industryOf('hair_salon').label).toBe('美发');
    expect(industryOf('test')).toEqual({ code: 'test', label: '其他', icon: 'other' });
  });

  it('when searching, then labels match by substring and codes do not', () => {
    expect(industriesMatching('美发')).toEqual(['hair_salon']);
    expect(industriesMatching('ktv')).toEqual(['ktv']);
    expect(industriesMatching('_')).toEqual([]);
  });
});
