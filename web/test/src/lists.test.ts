/** The paging arithmetic and URL value checks every list shares (web/src/lists.ts). */
import { describe, expect, it } from 'vitest';
import { offsetOfPage, oneOf, pageCount, pageOf, someOf } from '../../src/lists.ts';

describe('paging', () => {
  it('finds the page of an offset and the pages of a total', () => {
    expect(pageOf(0, 20)).toBe(1);
    expect(pageOf(19, 20)).toBe(1);
    expect(pageOf(20, 20)).toBe(2);
    expect(pageCount(10_000, 20)).toBe(500);
    expect(pageCount(10_001, 20)).toBe(501);
    expect(pageCount(0, 20)).toBe(1);
  });

  it('leads a typed page number to its offset, kept within the pages there are', () => {
    expect(offsetOfPage(1, 20, 10_000)).toBe(0);
    expect(offsetOfPage(250, 20, 10_000)).toBe(4980);
    expect(offsetOfPage(500, 20, 10_000)).toBe(9980);
    expect(offsetOfPage(9999, 20, 10_000)).toBe(9980);
    expect(offsetOfPage(0, 20, 10_000)).toBe(0);
    expect(offsetOfPage(-3, 20, 10_000)).toBe(0);
    expect(offsetOfPage(2.7, 20, 10_000)).toBe(20);
    expect(offsetOfPage(Number.NaN, 20, 10_000)).toBe(0);
    expect(offsetOfPage(3, 20, 0)).toBe(0);
  });
});

describe('URL values', () => {
  const SORTS = ['worst', 'oldest', 'newest'] as const;
  it('keeps an allowed word, else the fallback', () => {
    expect(oneOf('newest', SORTS, 'worst')).toBe('newest');
    expect(oneOf('loudest', SORTS, 'worst')).toBe('worst');
    expect(oneOf('', SORTS, 'worst')).toBe('worst');
  });

  it('keeps the allowed values of a repeated parameter, once each', () => {
    expect(someOf(['open', 'nonsense', 'open', 'resolved'], ['open', 'acknowledged', 'resolved'] as const)).toEqual(['open', 'resolved']);
    expect(someOf([], ['open'] as const)).toEqual([]);
  });
});
