import { describe, expect, it } from 'vitest';
import { detexify } from '../../src/arxiv/detexify.ts';

describe('detexify', () => {
  it.each([
    // the real names of the cs.AI feed of 2025-08-20
    ['J\\"org Deigm\\"oller', 'Jörg Deigmöller'],
    ['Hendrik Kra{\\ss}', 'Hendrik Kraß'],
    ['Nikola Pi\\v{z}urica', 'Nikola Pižurica'],
    ["Paulo Andr\\'e Lima de Castro", 'Paulo André Lima de Castro'],
    ['Anders S{\\o}gaard', 'Anders Søgaard'],
    ['Jan Jakub\\r{u}v', 'Jan Jakubův'],
    ["Mikol\\'a\\v{s} Janota", 'Mikoláš Janota'],
    ['In\\`es Blin', 'Inès Blin'],
    ["Alexander Rodr\\'iguez", 'Alexander Rodríguez'],
    // accents on a dotless i and every accent command
    ["Mart\\'\\i n", 'Martín'],
    ["Mart\\'{\\i}n", 'Martín'],
    ['Fran\\c{c}ois', 'François'],
    ['Fran\\c cois', 'François'],
    ['Espa\\~na', 'España'],
    ['H\\^otel', 'Hôtel'],
    ['\\=a', 'ā'],
    ['Do\\u{g}an', 'Doğan'],
    ['Erd\\H{o}s', 'Erdős'],
    ['{\\aa}ngstr{\\"o}m', 'ångström'],
    ['{\\AE}sir', 'Æsir'],
    ['{\\l}ukasz', 'łukasz'],
    ['\\L ukasz', 'Łukasz'],
    ['\\.{z}ubr', 'żubr'],
    ['\\k{a}', 'ą'],
    ['\\d{o}', 'ọ'],
    // brace placement variants
    ['{\\"o}', 'ö'],
    ['\\"{o}', 'ö'],
    ['\\"o', 'ö'],
    ["\\'{\\^e}", 'ế'],
    // punctuation
    ['pages 1--10', 'pages 1–10'],
    ['yes---no', 'yes—no'],
    ['state-of-the-art', 'state-of-the-art'],
    ['``quoted\'\'', '“quoted”'],
    ['R\\&D 50\\%', 'R&D 50%'],
    // unknown macros stay readable, formatting macros keep their argument
    ['\\LaTeX{} tools', 'LaTeX tools'],
    ['The \\emph{big} one', 'The big one'],
    ['\\textbf{Bold} move', 'Bold move'],
    ['\\foo bar', 'foo bar'],
    ['{Braced} Name', 'Braced Name'],
    // letter-accent names not followed by an argument are just letters
    ['\\v', 'v'],
    // nothing to do
    ['Plain Name', 'Plain Name'],
    ["O'Brien", "O'Brien"],
    ['', ''],
  ])('%s → %s', (input, expected) => {
    expect(detexify(input)).toBe(expected);
  });

  it.each([
    ['Scaling $O(n^2)$ attention to J\\"org', 'Scaling $O(n^2)$ attention to Jörg'],
    ['$1.13\\times$ faster -- really', '$1.13\\times$ faster – really'],
    ['Logics $\\mathcal{E\\mkern-2mu L}$ and $\\mathcal{EL}$', 'Logics $\\mathcal{E\\mkern-2mu L}$ and $\\mathcal{EL}$'],
    ['Display $$\\sum_i x_i$$ here', 'Display $$\\sum_i x_i$$ here'],
    ['Costs \\$5 and \\$6', 'Costs $5 and $6'],
    ['An unpaired $ sign \\"o', 'An unpaired $ sign ö'],
  ])('keeps math spans untouched: %s', (input, expected) => {
    expect(detexify(input)).toBe(expected);
  });

  it('returns NFC text', () => {
    const out = detexify('J\\"org');
    expect(out).toBe(out.normalize('NFC'));
    expect(out.length).toBe(4);
  });
});
