import { describe, expect, it } from 'vitest';
import { encodeForm, parseForm } from './form-encoding.ts';

describe('form encoding', () => {
  it('parses nested bracket keys, indexed arrays and expand[]', () => {
    const body =
      'mode=payment&line_items[0][price_data][product_data][name]=T-shirt&line_items[0][price_data][unit_amount]=2000' +
      '&line_items[0][quantity]=2&line_items[1][price]=price_123&line_items[1][quantity]=1' +
      '&metadata[order_id]=42&metadata[0]=zero&expand[]=customer&expand[]=line_items';
    expect(parseForm(body)).toEqual({
      mode: 'payment',
      line_items: [
        { price_data: { product_data: { name: 'T-shirt' }, unit_amount: '2000' }, quantity: '2' },
        { price: 'price_123', quantity: '1' },
      ],
      metadata: { order_id: '42', '0': 'zero' },
      expand: ['customer', 'line_items'],
    });
  });

  it('decodes percent-encoded brackets and values, and round-trips encodeForm', () => {
    expect(parseForm('metadata%5Bnote%5D=a%20b%26c')).toEqual({ metadata: { note: 'a b&c' } });
    const data = { a: { b: ['x', 'y'] }, c: 'd e' };
    expect(parseForm(encodeForm(data))).toEqual(data);
  });

  it('decodes exactly as URLSearchParams: plus signs, empty parts, bare keys, malformed escapes', () => {
    const cases = ['a+b=c+d&e=%2B', '&&a=&c&d=1=2', 'x=%E2%82%AC&y=%ZZ', 'x=%E2%82&y=%', 'q=%C0%AF&m[%5B]=1'];
    for (const body of cases) {
      const expected: Record<string, string> = {};
      for (const [k, v] of new URLSearchParams(body)) expected[k] = v;
      // URLSearchParams' own decoding, re-encoded canonically, must parse to the same.
      expect(parseForm(body), body).toEqual(parseForm(new URLSearchParams(expected).toString()));
    }
    expect(parseForm('a+b=c+d&e=%2B&y=%ZZ')).toEqual({ 'a b': 'c d', e: '+', y: '%ZZ' });
    expect(parseForm('x=%E2%82')).toEqual({ x: '\uFFFD' });
  });
});
