import t from 'tap';
import { createEngine } from '@leakguard/detectors';
import { breakCheck, card, group, nhs, nhsBroken, npi } from './fixtures/identifiers.js';
import { lowEngine, spans, streamInCuts, TEST_KEY } from './fixtures/engine-fixtures.js';

// Test names carry labels, never values: tap prints names (house rule 4).
interface Case {
  label: string;
  value: string;
  /** Text around the value; the value is at the marker `@`. */
  around?: string;
  accept: boolean;
}

const engine = lowEngine();

function check(detector: string, cases: Case[]): void {
  t.test(detector, async (t) => {
    for (const c of cases) {
      const around = c.around ?? 'record: @ end';
      const at = around.indexOf('@');
      const text = around.replace('@', c.value);
      const found = spans(engine.scan(text), detector);
      const exact = found.includes(`${at}:${at + Buffer.byteLength(c.value)}`);
      if (c.accept) t.ok(exact, `accepts ${c.label}`);
      else t.ok(!exact && found.length === 0, `rejects ${c.label}`);
    }
  });
}

check('us_ssn', [
  { label: 'dashed', value: '536-22-1234', accept: true },
  { label: 'spaced', value: '536 22 1234', accept: true },
  { label: 'bare nine digits', value: '536221234', accept: true },
  { label: 'area 000', value: '000-22-1234', accept: false },
  { label: 'area 666', value: '666-22-1234', accept: false },
  { label: 'area 900', value: '900-22-1234', accept: false },
  { label: 'area 999', value: '999-22-1234', accept: false },
  { label: 'group 00', value: '536-00-1234', accept: false },
  { label: 'serial 0000', value: '536-22-0000', accept: false },
  { label: 'published sample Woolworth', value: '078-05-1120', accept: false },
  { label: 'published sample 219-09-9999', value: '219-09-9999', accept: false },
  { label: 'published sample 123-45-6789', value: '123-45-6789', accept: false },
  { label: 'published sample bare', value: '123456789', accept: false },
  { label: 'mixed separators dash-space', value: '536-22 1234', accept: false },
  { label: 'mixed separators space-dash', value: '536 22-1234', accept: false },
  { label: 'inside a longer digit run (before)', value: '536221234', around: 'id 7@ end', accept: false },
  { label: 'inside a longer digit run (after)', value: '536221234', around: 'id @7 end', accept: false },
  { label: 'glued to letters', value: '536-22-1234', around: 'idX@ end', accept: false },
  { label: 'glued to trailing letters', value: '536-22-1234', around: 'id @X end', accept: false },
  { label: 'continued by -digits', value: '536-22-1234', around: 'id @-77 end', accept: false },
  { label: 'preceded by digits-', value: '536-22-1234', around: 'id 12-@ end', accept: false },
  { label: 'in JSON', value: '536-22-1234', around: '{"ssn":"@"}', accept: true },
  { label: 'at start of text', value: '536-22-1234', around: '@', accept: true },
  { label: 'underscore is a word character', value: '536221234', around: 'x_@', accept: false },
]);

const visa16 = card('4', 16);
const amex = card('34', 15);
const diners14 = card('300', 14);
const jcb19 = card('3589', 19);
check('payment_card', [
  { label: 'visa 13', value: card('4', 13), accept: true },
  { label: 'visa 16', value: visa16, accept: true },
  { label: 'visa 19', value: card('4', 19), accept: true },
  { label: 'visa 15 (not a visa length)', value: card('4', 15), accept: false },
  { label: 'processor test number 4111…', value: '4111 1111 1111 1111', accept: true },
  { label: 'mastercard 51', value: card('51', 16), accept: true },
  { label: 'mastercard 55', value: card('55', 16), accept: true },
  { label: 'mastercard 2-series 2221', value: card('2221', 16), accept: true },
  { label: 'mastercard 2-series 2720', value: card('2720', 16), accept: true },
  { label: 'below 2-series 2220', value: card('2220', 16), accept: false },
  { label: 'above 2-series 2721', value: card('2721', 16), accept: false },
  { label: 'mastercard 17 digits', value: card('51', 17), accept: false },
  { label: 'amex 34', value: amex, accept: true },
  { label: 'amex 37', value: card('37', 15), accept: true },
  { label: 'amex 16 digits', value: card('34', 16), accept: false },
  { label: 'discover 6011 16', value: card('6011', 16), accept: true },
  { label: 'discover 6011 19', value: card('6011', 19), accept: true },
  { label: 'discover 644', value: card('644', 16), accept: true },
  { label: 'discover 649', value: card('649', 17), accept: true },
  { label: 'discover 65', value: card('65', 18), accept: true },
  { label: 'discover 622126', value: card('622126', 16), accept: true },
  { label: 'discover 622925', value: card('622925', 19), accept: true },
  { label: 'jcb 3528', value: card('3528', 16), accept: true },
  { label: 'jcb 3589 19', value: jcb19, accept: true },
  { label: '35 outside jcb 3527 15 digits', value: card('3527', 15), accept: false },
  { label: 'diners 300 14', value: diners14, accept: true },
  { label: 'diners 305 16', value: card('305', 16), accept: true },
  { label: 'diners 36 14', value: card('36', 14), accept: true },
  { label: 'diners 38', value: card('38', 16), accept: true },
  { label: 'diners 39 19', value: card('39', 19), accept: true },
  { label: 'diners 306 (outside 300-305) 14', value: card('306', 14), accept: false },
  { label: 'unionpay 62 16', value: card('6200', 16), accept: true },
  { label: 'unionpay 62 19', value: card('6270', 19), accept: true },
  { label: 'maestro 50 12', value: card('50', 12), accept: true },
  { label: 'maestro 56 13', value: card('56', 13), accept: true },
  { label: 'maestro 69 19', value: card('69', 19), accept: true },
  { label: 'maestro 11 digits', value: card('50', 11), accept: false },
  { label: 'prefix 1 (no network)', value: card('1', 16), accept: false },
  { label: 'prefix 7 (no network)', value: card('7', 16), accept: false },
  { label: 'luhn failure', value: breakCheck(visa16), accept: false },
  { label: 'grouped 4-4-4-4 spaces', value: group(visa16, [4, 4, 4, 4], ' '), accept: true },
  { label: 'grouped 4-4-4-4 dashes', value: group(visa16, [4, 4, 4, 4], '-'), accept: true },
  { label: 'grouped mixed separators', value: `${visa16.slice(0, 4)} ${visa16.slice(4, 8)}-${visa16.slice(8, 12)} ${visa16.slice(12)}`, accept: false },
  { label: 'amex 4-6-5', value: group(amex, [4, 6, 5], ' '), accept: true },
  { label: 'diners 4-6-4', value: group(diners14, [4, 6, 4], '-'), accept: true },
  { label: '19 digits 4-4-4-4-3', value: group(jcb19, [4, 4, 4, 4, 3], ' '), accept: true },
  { label: 'double space separator', value: group(visa16, [4, 4, 4, 4], '  '), accept: false },
  { label: 'inside a 20-digit id', value: visa16, around: 'id 9@ end', accept: false },
  { label: 'followed by a digit (20 digits)', value: visa16, around: 'id @9 end', accept: false },
  { label: 'glued to letters', value: visa16, around: 'idA@ end', accept: false },
  { label: 'grouped card continued by -digits', value: group(visa16, [4, 4, 4, 4], '-'), around: 'x @-1234 y', accept: false },
  { label: 'grouped card followed by a 3-digit number', value: group(visa16, [4, 4, 4, 4], ' '), around: 'x @ 123 y', accept: true },
  { label: 'in a JSON number', value: visa16, around: '{"pan":@}', accept: true },
  { label: 'maestro 12 in three groups (spaces)', value: group(card('50', 12), [4, 4, 4], ' '), accept: true },
  { label: 'maestro 12 in three groups (dashes)', value: group(card('67', 12), [4, 4, 4], '-'), accept: true },
  { label: 'as the fraction of a decimal', value: visa16, around: '{"ratio": 0.@}', accept: false },
  { label: 'after a version-like prefix', value: visa16, around: 'score=1.@ ok', accept: false },
  { label: 'exported as a float', value: visa16, around: '{"pan": @.0}', accept: true },
]);

check('us_mbi', [
  { label: 'dashed', value: '1EG4-TE5-MK73', accept: true },
  { label: 'plain', value: '1EG4TE5MK73', accept: true },
  { label: 'lower-case', value: '1eg4te5mk73', accept: true },
  { label: 'digit at positions 3 and 6', value: '1E94-T95-MK73', accept: true },
  { label: 'position 1 zero', value: '0EG4TE5MK73', accept: false },
  { label: 'position 2 digit', value: '19G4TE5MK73', accept: false },
  { label: 'position 4 letter', value: '1EGATE5MK73', accept: false },
  { label: 'position 5 digit', value: '1EG45E5MK73', accept: false },
  { label: 'position 7 letter', value: '1EG4TEAMK73', accept: false },
  { label: 'position 8 digit', value: '1EG4TE55K73', accept: false },
  { label: 'position 9 digit', value: '1EG4TE5M573', accept: false },
  { label: 'position 10 letter', value: '1EG4TE5MKA3', accept: false },
  { label: 'position 11 letter', value: '1EG4TE5MK7A', accept: false },
  ...['S', 'L', 'O', 'I', 'B', 'Z'].map((letter) => ({ label: `excluded letter ${letter} at position 2`, value: `1${letter}G4TE5MK73`, accept: false })),
  ...['S', 'L', 'O', 'I', 'B', 'Z'].map((letter) => ({ label: `excluded letter ${letter} at position 9`, value: `1EG4TE5M${letter}73`, accept: false })),
  { label: 'one dash only', value: '1EG4-TE5MK73', accept: false },
  { label: 'glued to more letters', value: '1EG4TE5MK73', around: 'idX@ end', accept: false },
  { label: 'glued to a trailing digit', value: '1EG4TE5MK73', around: 'id @7 end', accept: false },
]);

check('us_hicn', [
  { label: 'SSA form dashed with BIC A', value: '536-22-1234A', accept: true },
  { label: 'SSA form bare with BIC B1', value: '536221234B1', accept: true },
  { label: 'SSA form with two-letter BIC', value: '536221234HA', accept: true },
  { label: 'SSA form spaced', value: '536 22 1234D', accept: true },
  { label: 'SSA form with the published sample number (SSN-shaped)', value: '123-45-6789A', accept: true },
  { label: 'SSA form with area 000', value: '000-22-1234A', accept: false },
  { label: 'SSA form with three-character BIC', value: '536221234ABC', accept: false },
  { label: 'bare SSA form with a lower-case letter (a hash, a unit)', value: '536221234e', accept: false },
  { label: 'dashed SSA form with a lower-case BIC', value: '536-22-1234a', accept: true },
  { label: 'RRB with 9 digits', value: 'WA123456789', accept: true },
  { label: 'RRB with 6 digits', value: 'A123456', accept: true },
  { label: 'RRB with 3-letter prefix', value: 'WCA123456', accept: true },
  { label: 'RRB with 4-letter prefix', value: 'WABC123456', accept: false },
  { label: 'RRB with 7 digits', value: 'WA1234567', accept: false },
]);

const npiValid = npi('123456789');
check('us_npi', [
  { label: 'bare', value: npiValid, accept: true },
  { label: 'CMS example 1234567893', value: '1234567893', accept: true },
  { label: 'grouped 4-3-3', value: group(npiValid, [4, 3, 3], ' '), accept: true },
  { label: 'starting with 2', value: npi('212345678'), accept: true },
  { label: 'wrong check digit', value: breakCheck(npiValid), accept: false },
  { label: 'starting with 3', value: npi('312345678'), accept: false },
  { label: 'inside 11 digits', value: npiValid, around: 'x 5@ y', accept: false },
]);

check('uk_nhs', [
  { label: 'NHS Digital example spaced', value: '943 476 5919', accept: true },
  { label: 'bare', value: '9434765919', accept: true },
  { label: 'dashed', value: '943-476-5919', accept: true },
  { label: 'another valid', value: nhs('401023213') as string, accept: true },
  { label: 'wrong check digit', value: nhsBroken('943476591'), accept: false },
  { label: 'check digit would be 10', value: '1000000010', accept: false },
  { label: 'mixed separators', value: '943 476-5919', accept: false },
]);

t.test('confidence from context keywords', async (t) => {
  const defaults = lowEngine();
  const conf = (text: string, detector: string): string[] => defaults.scan(text).filter((f) => f.detector === detector).map((f) => f.confidence);
  t.same(conf('order 536221234 shipped', 'us_ssn'), ['low'], 'bare SSN without keyword is low');
  t.same(conf('SSN: 536221234', 'us_ssn'), ['high'], 'bare SSN with keyword is high');
  t.same(conf('{"patientSsn": "536221234"}', 'us_ssn'), ['high'], 'camelCase key counts');
  t.same(conf('ref 536-22-1234', 'us_ssn'), ['medium'], 'formatted SSN without keyword is medium');
  t.same(conf('social security number 536-22-1234', 'us_ssn'), ['high'], 'formatted SSN with keyword is high');
  t.same(conf(`phone ${npi('123456789')}`, 'us_npi'), ['low'], 'NPI without keyword is low');
  t.same(conf(`NPI ${npi('123456789')}`, 'us_npi'), ['high'], 'NPI with keyword is high');
  t.same(conf('call 943 476 5919', 'uk_nhs'), ['low'], 'NHS without keyword is low');
  t.same(conf('NHS number: 943 476 5919', 'uk_nhs'), ['high'], 'NHS with keyword is high');
  t.same(conf('id 1EG4TE5MK73', 'us_mbi'), ['medium'], 'MBI without keyword is medium');
  t.same(conf('Medicare: 1EG4TE5MK73', 'us_mbi'), ['high'], 'MBI with keyword is high');
  t.same(conf(`x ${card('4', 16)}`, 'payment_card'), ['medium'], 'card without keyword is medium');
  t.same(conf(`card ${card('4', 16)}`, 'payment_card'), ['high'], 'card with keyword is high');
  t.same(conf(`access ${card('4', 16)}`, 'payment_card'), ['medium'], 'short keyword cc does not fire inside a word');
  t.same(conf('ref 536221234 value; ssn later', 'us_ssn'), ['high'], 'keyword after the value counts');
  t.same(conf('{"name":"Justin","orderId":"536221234"}', 'us_ssn'), ['low'], 'tin at the end of a name is no keyword');
  t.same(conf('{"first":"Vanessa","memberId":"536221234"}', 'us_ssn'), ['low'], 'ssa at the end of a name is no keyword');
  t.same(conf('{"customerTIN":"536221234"}', 'us_ssn'), ['high'], 'a short keyword after a camelCase hump counts');
});

t.test('keywords count in any case and any joining of their words', async (t) => {
  // Default minConfidence: a bare nine-digit SSN, an NHS number or an RRB HICN is reported only with its keyword.
  const engine = createEngine({ fingerprintKey: 'k' });
  const detectorsIn = (text: string): string[] => engine.scan(text).map((f) => `${f.detector}:${f.confidence}`);
  const nhsValue = nhs('943476591') as string;
  const found: Array<[string, string, string]> = [
    ['camelCase words', '{"socialSecurityNumber":"536221234"}', 'us_ssn:high'],
    ['PascalCase element', '<SocialSecurityNumber>536221234</SocialSecurityNumber>', 'us_ssn:high'],
    ['snake_case words', '{"social_security_number":"536221234"}', 'us_ssn:high'],
    ['kebab-case words', 'social-security: 536221234', 'us_ssn:high'],
    ['PascalCase taxpayer', '{"TaxPayerId":"536221234"}', 'us_ssn:high'],
    ['short keyword before a camelCase word', `{"nhsNumber":"${nhsValue}"}`, 'uk_nhs:high'],
    ['acronym before a capitalised word', `<NHSNumber>${nhsValue}</NHSNumber>`, 'uk_nhs:high'],
    ['plural of a short keyword', 'SSNs on file: 536221234', 'us_ssn:high'],
    ['upper case', 'SOCIAL SECURITY 536221234', 'us_ssn:high'],
  ];
  for (const [label, text, expected] of found) t.same(detectorsIn(text), [expected], label);
  const notFound: Array<[string, string]> = [
    ['tin ending a name', '{"name":"Justin","orderId":"536221234"}'],
    ['tin ending a city', '{"city":"Austin","order":536221234}'],
    ['ssa ending a name', 'Melissa 536221234'],
    ['tin inside an upper-case word', 'SETTINGS 536221234'],
    ['a short keyword inside a word', 'settings 536221234'],
  ];
  for (const [label, text] of notFound) t.same(detectorsIn(text), [], label);
});

t.test('a grouped card followed by another number: the number is scanned too, at every split', async (t) => {
  const engine = createEngine({
    fingerprintKey: TEST_KEY,
    detectors: { us_ssn: { action: 'redact' }, payment_card: { action: 'redact', redaction: { keepLast: 4 } } },
  });
  // The processor test number: with 536 after it, as a 19-digit number, it fails the Luhn check
  // (a 19-digit number that passed would be a card of its own, and rightly so).
  const spaced = '4111 1111 1111 1111';
  const dashed = '4111-1111-1111-1111';
  const cases: Array<[string, string, string[]]> = [
    ['a dashed SSN after a spaced card', `card ${spaced} 536-22-1234 end`, ['payment_card', 'us_ssn']],
    // Space-joined digit groups after a card read as one longer grouped number (tracking numbers look so).
    ['a spaced SSN after a spaced card', `card ${spaced} 536 22 1234 end`, ['payment_card']],
    ['a phone number after a spaced card', `card ${spaced} 555-201-3344 end`, ['payment_card']],
    ['a dashed SSN glued to a dashed card', `card ${dashed}-536-22-1234 end`, []],
    ['two cards and an SSN', `${spaced} 536-22-1234 and ${spaced} 536-22-1234`, ['payment_card', 'us_ssn', 'payment_card', 'us_ssn']],
  ];
  for (const [label, text, detectors] of cases) {
    const body = Buffer.from(text);
    const whole = engine.process(body);
    t.same(whole.findings.map((f) => f.detector), detectors, label);
    if (detectors.includes('us_ssn')) t.notOk(whole.output.toString().includes('536'), `${label}: nothing of the SSN left`);
    let same = true;
    for (let cut = 1; cut < body.length; cut++) {
      const streamed = await streamInCuts(engine, body, [cut]);
      if (!streamed.output.equals(whole.output) || streamed.findings.length !== whole.findings.length) same = false;
    }
    t.ok(same, `${label}: every split gives the whole-body result`);
  }
});

t.test('realistic neighbours of values: quantities, ISBNs, tracking and phone numbers', async (t) => {
  const engine = createEngine({ fingerprintKey: 'k' });
  const detectorsIn = (text: string): string[] => engine.scan(text).map((f) => `${f.detector}:${f.confidence}`);
  const clean: Array<[string, string]> = [
    ['a CPU quantity in nanocores', '{"usage":{"cpu":"536221234n","memory":"536221234Ki"}}'],
    ['a memory quantity in M', '{"capacity":{"memory":"536221234M"}}'],
    ['an ISBN-10 ending in X', '{"type":"ISBN_10","identifier":"536221234X"}'],
    ['a hex hash', '{"commit":"536221234e"}'],
    ['a UPS tracking number in groups', 'tracking 1Z 5R8 536 22 1234 678 4'],
    ['a USPS tracking number in groups', 'tracking 9400 9032 5883 4859 6029 90'],
    ['a UK phone number after +44', `{"organisation":"Leeds NHS Trust","phone":"+44 ${group(nhs('943476591') as string, [3, 3, 4], ' ')}"}`],
    ['the same with (0)', `NHS switchboard +44 (0)${group(nhs('943476591') as string, [3, 3, 4], ' ')}`],
  ];
  for (const [label, text] of clean) t.same(detectorsIn(text), [], label);
  const found: Array<[string, string, string]> = [
    ['a bare HICN near its keyword', 'medicare claim 536221234A', 'us_hicn:high'],
    ['a dashed HICN alone', 'ref 536-22-1234A', 'us_hicn:medium'],
    ['a FHIR identifier with its system after the value', '{"value":"536221234","system":"http://hl7.org/fhir/sid/us-ssn"}', 'us_ssn:high'],
    ['a card in a query string in a text body', `GET /pay?card_number=${group(visa16, [4, 4, 4, 4], '+')} HTTP/1.1`, 'payment_card:high'],
  ];
  for (const [label, text, expected] of found) t.same(detectorsIn(text), [expected], label);
});

t.test('short contiguous card numbers need a card keyword; whole and grouped ones do not', async (t) => {
  const engine = createEngine({ fingerprintKey: 'k' });
  const detectorsIn = (text: string): string[] => engine.scan(text).map((f) => `${f.detector}:${f.confidence}`);
  const visa13 = card('4', 13);
  const maestro12 = card('50', 12);
  t.same(detectorsIn(`{"ean":"${visa13}","sku":"${maestro12}"}`), [], 'a 13-digit barcode and a 12-digit SKU alone');
  t.same(detectorsIn(`{"card_number":"${visa13}"}`), ['payment_card:high'], 'a 13-digit Visa next to its keyword');
  t.same(detectorsIn(`paid by maestro ${maestro12}`), ['payment_card:high'], 'a 12-digit Maestro next to its keyword');
  t.same(detectorsIn(`ref ${group(maestro12, [4, 4, 4], ' ')}`), [], 'twelve digits in three groups alone (reference numbers look so)');
  t.same(detectorsIn(`card ${group(maestro12, [4, 4, 4], ' ')}`), ['payment_card:high'], 'the same next to its keyword');
  t.same(detectorsIn(`ref ${group(visa13, [4, 4, 4, 1], ' ')}`), ['payment_card:medium'], 'thirteen digits grouped stand alone');
  t.same(detectorsIn(`ref ${card('37', 15)}`), ['payment_card:medium'], 'a contiguous Amex stands alone');
  t.same(detectorsIn(`ref ${visa16}`), ['payment_card:medium'], 'so does a contiguous 16-digit card');
  t.same(detectorsIn(`IBAN FR76 9423 ${group(visa16, [4, 4, 4, 4], ' ')} 602`), [], 'inside the groups of an IBAN: not a card');
  t.same(detectorsIn(`USPS 9400 ${group(card('4', 19), [4, 4, 4, 4, 3], ' ')};`), [], 'after the first group of a tracking number: not a card');
  t.same(detectorsIn(`${group(visa16, [4, 4, 4, 4], ' ')} 12/26`), ['payment_card:medium'], 'a card followed by its expiry is a card');
});

t.test('redaction keeps the elements of an X12 interchange', async (t) => {
  const engine = createEngine({ fingerprintKey: TEST_KEY, detectors: { us_mbi: { action: 'redact' } } });
  const isa = 'ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *240101*1200*^*00501*000000001*0*P*:~';
  const text = `${isa}GS*HC*S*R*20240101*1200*1*X*005010X222A1~ST*837*0001~NM1*IL*1*DOE*JANE****MI*1EG4TE5MK73~SE*3*0001~`;
  const body = Buffer.from(text);
  const whole = engine.process(body);
  const segment = (out: Buffer): string => out.toString().split('~').find((s) => s.startsWith('NM1')) as string;
  t.equal(whole.findings.length, 1, 'the Medicare id is found');
  t.equal(segment(whole.output).split('*').length, 10, 'the segment keeps its ten elements');
  t.notOk(whole.output.toString().includes('TE5MK73'), 'the value is masked');
  let same = true;
  for (let cut = 1; cut < body.length; cut += 7) if (!(await streamInCuts(engine, body, [2, cut])).output.equals(whole.output)) same = false;
  t.ok(same, 'a stream masks it the same way, however the interchange is cut');
  t.ok(engine.process(Buffer.from('mbi 1EG4TE5MK73 here')).output.toString() === 'mbi *********** here', 'elsewhere the mask stays *');
});

t.test('decimal fractions and timestamp fractions are not values', async (t) => {
  const engine = lowEngine();
  const cases: Array<[string, string]> = [
    ['RFC 3339 nanoseconds', '{"time":"2024-01-15T10:20:30.536221234Z","level":"info"}'],
    ['a container log prefix', '2024-01-15T10:20:30.412345678Z stdout F GET /healthz 200'],
    ['a Kubernetes timestamp', '{"metadata":{"creationTimestamp":"2024-05-01T08:00:00.734512906Z"}}'],
    ['an exponent float', '{"mass": 1.536221234e+21}'],
  ];
  for (const [label, text] of cases) t.same(engine.scan(text).map((f) => f.detector), [], label);
});

t.test('a value matched by both the main and the keyword-gated search is reported once', async (t) => {
  const engine = createEngine({ fingerprintKey: TEST_KEY, detectors: { us_npi: { minConfidence: 'low' } } });
  const value = npi('123456789');
  t.same(spans(engine.scan(`ssn 536-22-1234 npi ${value}`), 'us_npi'), ['20:30'], 'an NPI near an SSN keyword');
  t.same(spans(engine.scan(`nhs ref ${value}`), 'us_npi'), ['8:18'], 'an NPI near an NHS keyword');
});

t.test('default minConfidence is medium: ambiguous values need a keyword', async (t) => {
  const engine = createEngine({ fingerprintKey: 'k' });
  t.equal(engine.scan('order 536221234').length, 0, 'bare SSN alone is not reported');
  t.equal(engine.scan('ssn 536221234').length, 1, 'bare SSN with keyword is reported');
  t.equal(engine.scan(`tel ${npi('123456789')}`).length, 0, 'NPI alone is not reported');
  t.equal(engine.scan('tel 943 476 5919').length, 0, 'NHS alone is not reported');
  t.equal(engine.scan('ref 536-22-1234').length, 1, 'formatted SSN is reported');
});

t.test('a phone or fax number in a provider record is no NPI: the keyword does not raise it', async (t) => {
  const defaults = lowEngine();
  const conf = (text: string): string[] => defaults.scan(text).filter((f) => f.detector === 'us_npi').map((f) => f.confidence);
  // Ten digits starting with 2 that pass the NPI check, as one US phone number in ten does.
  const phone = npi('212555123');
  const real = npi('123456789');
  t.same(conf(`{"provider":"Dr A","providerPhone":"${phone}"}`), ['low'], 'camelCase key ending in Phone');
  t.same(conf(`{"provider_fax": "${phone}"}`), ['low'], 'snake_case key ending in fax');
  t.same(conf(`{"provider":"A","phoneNumber":"${phone}"}`), ['low'], 'a generic last word (Number) is read past');
  t.same(conf(`<Provider><Name>A</Name><ProviderPhone>${phone}</ProviderPhone></Provider>`), ['low'], 'XML element');
  t.same(conf(`Provider phone: ${phone}`), ['low'], 'prose');
  t.same(conf(`Provider Phone No: ${phone}`), ['low'], 'Phone No');
  t.same(
    conf(`{"resourceType":"Practitioner","name":"provider","telecom":[{"system":"phone","value":"${phone}"}]}`),
    ['low'],
    'FHIR ContactPoint: "system":"phone","value":',
  );
  t.same(conf(`{"provider":{"npi":"${real}","phone":"${phone}"}}`), ['high', 'low'], 'the NPI beside it stays high');
  t.same(conf(`Provider NPI number: ${real}`), ['high'], '"NPI number" is still an NPI');
  t.same(conf(`{"phone":"555","npi":"${real}"}`), ['high'], 'a phone word before the nearest key does not count');
  t.same(conf(`Call the provider at ${real}`), ['high'], 'any other word before the value stops the search');

  // The default policy reports neither phone form; the decision holds when the body is split anywhere.
  const body = Buffer.from(`{"provider":{"npi":"${real}","fax":"${phone}"}}`);
  const strict = createEngine({ fingerprintKey: TEST_KEY });
  for (let cut = 1; cut < body.length; cut++) {
    const { findings } = await streamInCuts(strict, body, [cut]);
    const npis = findings.filter((f) => f.detector === 'us_npi');
    if (npis.length !== 1 || npis[0]?.start !== body.indexOf(real)) {
      t.fail(`split at ${cut}: ${npis.length} NPI finding(s)`);
      return;
    }
  }
  t.pass('the NPI alone is reported, at every split');
});
