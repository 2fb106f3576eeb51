import { isObject } from '../../src/validate.js';
import { AwsError, constraintError } from './aws-error.js';

/** A request body as the JSON protocols carry it. */
export type JsonObject = Record<string, unknown>;

/** Builds the error a service answers when a member is missing or has the wrong type. */
export type InputProblem = (member: string, problem: 'missing' | 'type') => AwsError;

/** The coral validator's answer, used by SSM and License Manager. */
export const coralProblem: InputProblem = (member, problem) =>
  problem === 'missing'
    ? constraintError(member, null, 'Member must not be null')
    : new AwsError('SerializationException', `Unexpected type for member ${member}`);

/** Typed access to a request body; a member that is missing or of the wrong type is an AwsError. */
export class Input {
  readonly #body: JsonObject;
  readonly #problem: InputProblem;

  constructor(body: JsonObject, problem: InputProblem = coralProblem) {
    this.#body = body;
    this.#problem = problem;
  }

  /** Whether the member is present (and not null). */
  has(name: string): boolean {
    return this.#body[name] !== undefined && this.#body[name] !== null;
  }

  #optional<T>(name: string, check: (value: unknown) => value is T): T | undefined {
    const value = this.#body[name];
    if (value === undefined || value === null) return undefined;
    if (!check(value)) throw this.#problem(name, 'type');
    return value;
  }

  #required<T>(name: string, value: T | undefined): T {
    if (value === undefined) throw this.#problem(name, 'missing');
    return value;
  }

  /** An optional string member. */
  optString(name: string): string | undefined {
    return this.#optional(name, (v): v is string => typeof v === 'string');
  }

  /** A required string member. */
  string(name: string): string {
    return this.#required(name, this.optString(name));
  }

  /** An optional integer member. */
  optInteger(name: string): number | undefined {
    return this.#optional(name, (v): v is number => typeof v === 'number' && Number.isInteger(v));
  }

  /** A required integer member. */
  integer(name: string): number {
    return this.#required(name, this.optInteger(name));
  }

  /** An optional number member (a timestamp, in epoch seconds, is one). */
  optNumber(name: string): number | undefined {
    return this.#optional(name, (v): v is number => typeof v === 'number' && Number.isFinite(v));
  }

  /** An optional boolean member. */
  optBoolean(name: string): boolean | undefined {
    return this.#optional(name, (v): v is boolean => typeof v === 'boolean');
  }

  /** An optional list of strings. */
  optStrings(name: string): string[] | undefined {
    return this.#optional(
      name,
      (v): v is string[] => Array.isArray(v) && v.every((item) => typeof item === 'string'),
    );
  }

  /** An optional list of structures. */
  optObjects(name: string): Input[] | undefined {
    const list = this.#optional(
      name,
      (v): v is JsonObject[] => Array.isArray(v) && v.every((item) => isObject(item)),
    );
    return list?.map((item) => new Input(item, this.#problem));
  }

  /** An optional structure. */
  optObject(name: string): Input | undefined {
    const value = this.#optional(name, isObject);
    return value === undefined ? undefined : new Input(value, this.#problem);
  }

  /** An optional map of strings to strings. */
  optStringMap(name: string): Record<string, string> | undefined {
    return this.#optional(
      name,
      (v): v is Record<string, string> =>
        isObject(v) && Object.values(v).every((item) => typeof item === 'string'),
    );
  }

  /** An optional map of strings to structures. */
  optObjectMap(name: string): Map<string, Input> | undefined {
    const value = this.#optional(
      name,
      (v): v is Record<string, JsonObject> => isObject(v) && Object.values(v).every(isObject),
    );
    if (value === undefined) return undefined;
    return new Map(
      Object.entries(value).map(([key, item]) => [key, new Input(item, this.#problem)]),
    );
  }
}
