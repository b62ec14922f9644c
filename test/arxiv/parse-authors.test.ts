import { describe, expect, it } from 'vitest';
import { detexify as reexported, parseAuthors } from '../../src/arxiv/parse-authors.ts';
import { detexify } from '../../src/arxiv/detexify.ts';
import type { Author } from '../../src/types.ts';

const a = (name: string, ...affiliations: string[]): Author => ({ name, affiliations });

describe('parseAuthors', () => {
  it.each<[string, Author[]]>([
    ['Antonin Monteil, Paul Pegon', [a('Antonin Monteil'), a('Paul Pegon')]],
    [
      'First Last (Aff 1, Dept), Other Name, Third (Aff)',
      [a('First Last', 'Aff 1, Dept'), a('Other Name'), a('Third', 'Aff')],
    ],
    [
      'Ada Lovelace (University of London, Department of Mathematics, UK), Bob Ross',
      [a('Ada Lovelace', 'University of London, Department of Mathematics, UK'), a('Bob Ross')],
    ],
    ['Jane Doe (MIT) (Harvard)', [a('Jane Doe', 'MIT', 'Harvard')]],
    ['Jane Doe (Lab (Paris), France)', [a('Jane Doe', 'Lab (Paris), France')]],
    ['J\\"org Deigm\\"oller (Universit\\"at Mannheim), Hendrik Kra{\\ss}', [
      a('Jörg Deigmöller', 'Universität Mannheim'),
      a('Hendrik Kraß'),
    ]],
    ['John Smith Jr., Mary Major', [a('John Smith Jr.'), a('Mary Major')]],
    ['  Spaced   Out  ,\n  Next\tOne ', [a('Spaced Out'), a('Next One')]],
    ['Alone', [a('Alone')]],
    ['', []],
    ['A, , B', [a('A'), a('B')]],
    ['A (MIT), (CNRS)', [a('A', 'MIT', 'CNRS')]],
    ['Name ()', [a('Name')]],
    // unbalanced brackets: every comma splits rather than gluing the list into one author
    ['A (MIT, B, C', [a('A (MIT'), a('B'), a('C')]],
  ])('%j', (creator, expected) => {
    expect(parseAuthors(creator)).toEqual(expected);
  });

  it('re-exports detexify', () => {
    expect(reexported).toBe(detexify);
  });
});
