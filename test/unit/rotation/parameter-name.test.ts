import { describe, expect, it } from 'vitest';
import { nameProblem, normaliseTokenPath } from '../../../src/rotation/parameter-name.js';

const ROOT = '/license-tokens/';

describe('nameProblem', () => {
  it.each([
    '/license-tokens/acme',
    '/license-tokens/acme/prod',
    '/license-tokens/a.b_c-D/9',
    // SSM's limits, exactly: 1011 characters, 15 levels.
    `/license-tokens/${'a'.repeat(1011 - ROOT.length)}`,
    `/license-tokens${'/a'.repeat(14)}`,
  ])('accepts %s', (name) => {
    expect(nameProblem(name, ROOT)).toBeUndefined();
  });

  it.each([
    ['/other/acme', 'is not under'],
    ['/license-tokens-evil/acme', 'is not under'],
    ['/license-tokens/', 'token path itself'],
    ['/license-tokens/a//b', 'empty segment'],
    ['/license-tokens/a/', 'empty segment'],
    ['/license-tokens/../secrets', '".."'],
    ['/license-tokens/./a', '"."'],
    ['/license-tokens/a b', 'outside'],
    ['/license-tokens/a\u0000b', 'outside'],
    ['/license-tokens/аcme', 'outside'], // Cyrillic а
    [`/license-tokens/${'a'.repeat(1012 - ROOT.length)}`, 'longer than 1011'],
    [`/license-tokens${'/a'.repeat(15)}`, 'more than 15 levels'],
  ])('refuses %j', (name, problem) => {
    expect(nameProblem(name, ROOT)).toContain(problem);
  });
});

describe('normaliseTokenPath', () => {
  it('adds the trailing slash', () => {
    expect(normaliseTokenPath('/license-tokens')).toBe('/license-tokens/');
    expect(normaliseTokenPath('/a/b/')).toBe('/a/b/');
  });

  it('reserves only a path that starts with aws or ssm', () => {
    expect(normaliseTokenPath('/tokens/aws-licenses')).toBe('/tokens/aws-licenses/');
  });

  const ABSOLUTE = 'must be an absolute path below the root, like /license-tokens/';
  const SEGMENTS = 'segments must be made of [A-Za-z0-9_.-] and not be "." or ".."';
  const RESERVED = 'must not start with "aws" or "ssm": SSM reserves those names';
  it.each([
    ['license-tokens/', ABSOLUTE],
    ['/', ABSOLUTE],
    ['/a//b/', SEGMENTS],
    ['/a/../b/', SEGMENTS],
    ['/a/./b/', SEGMENTS],
    ['/a b/', SEGMENTS],
    ['/aws/tokens/', RESERVED],
    ['/SSM/x/', RESERVED],
  ])('refuses %j, saying why', (path, message) => {
    expect(() => normaliseTokenPath(path)).toThrow(new Error(message));
  });
});
