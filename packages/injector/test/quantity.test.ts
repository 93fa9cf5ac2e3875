// Quantities parse exactly and print in the API server's canonical form.
import t from 'tap';
import { canonicalQuantity, compareQuantities, parseQuantity } from '../src/index.js';

t.test('canonical form, as the API server stores it', async (t) => {
  const cases: Array<[string, string]> = [
    ['100m', '100m'],
    ['0.1', '100m'],
    ['1000m', '1'],
    ['1500m', '1500m'],
    ['2000', '2k'],
    ['1', '1'],
    ['0', '0'],
    ['.5', '500m'],
    ['128Mi', '128Mi'],
    ['1024Mi', '1Gi'],
    ['1.5Gi', '1536Mi'],
    ['1025Ki', '1025Ki'],
    ['0.5Ki', '512'],
    ['1Ki', '1Ki'],
    ['128M', '128M'],
    ['1e3', '1e3'],
    ['1.5e3', '1500'],
    ['12e6', '12e6'],
    ['100u', '100u'],
    ['1n', '1n'],
  ];
  for (const [input, want] of cases) t.equal(canonicalQuantity(input), want, `${input} -> ${want}`);
});

t.test('comparison and rejection', async (t) => {
  t.equal(compareQuantities(parseQuantity('1Gi'), parseQuantity('1024Mi')), 0);
  t.equal(compareQuantities(parseQuantity('1G'), parseQuantity('1Gi')), -1);
  t.equal(compareQuantities(parseQuantity('1.5'), parseQuantity('1499m')), 1);
  t.equal(parseQuantity('0.0000000001').nanos, 1n, 'below 1n rounds up like the API server');
  for (const bad of ['', 'lots', '1.2.3', '1 Gi', '1gi', 'Mi', '1e400', ' 1']) t.throws(() => parseQuantity(bad), { code: 'LG_ERR_QUANTITY' }, JSON.stringify(bad));
});
