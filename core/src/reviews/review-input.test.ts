import { describe, expect, it } from 'vitest';
import { cleanReviewText, reviewerTag, reviewTextLength } from './review-input.ts';

describe('cleanReviewText', () => {
  it.each([
    ['  服务很好  ', '服务很好'],
    ['好\u0000评\u0007', '好评'],
    ['a\tb', 'a b'],
    ['第一行\r\n第二行\r第三行', '第一行\n第二行\n第三行'],
    ['太棒了\n\n\n\n推荐', '太棒了\n\n推荐'],
    ['\u202E好评\u202C 差评', '好评 差评'],
    ['\u2066隔离\u2069', '隔离'],
    ['\u0085\u009F', ''],
    ['👨‍👩‍👧 全家都满意', '👨‍👩‍👧 全家都满意'],
    ['\uD800孤立代理', '\uFFFD孤立代理'],
    ['', ''],
  ])('when the text is %j, then it is stored as %j', (raw, cleaned) => {
    expect(cleanReviewText(raw)).toBe(cleaned);
  });
});

describe('reviewTextLength', () => {
  it('when the text has emoji, then each counts once, as MySQL counts characters', () => {
    expect(reviewTextLength('好😀')).toBe(2);
    expect('好😀'.length).toBe(3);
    expect(reviewTextLength('')).toBe(0);
  });
});

describe('reviewerTag', () => {
  it('when asked for one customer twice, then the tag is the same two digits', () => {
    expect(reviewerTag(42)).toMatch(/^\d{2}$/);
    expect(reviewerTag(42)).toBe(reviewerTag(42));
  });

  it('when the customer id ends in two digits, then the tag does not simply repeat them', () => {
    const echoes = Array.from({ length: 200 }, (_, i) => 1000 + i).filter((id) => reviewerTag(id) === String(id % 100).padStart(2, '0'));
    expect(echoes.length).toBeLessThan(20);
  });

  it('when many customers review, then tags spread over many values', () => {
    expect(new Set(Array.from({ length: 500 }, (_, i) => reviewerTag(i + 1))).size).toBeGreaterThan(80);
  });
});
