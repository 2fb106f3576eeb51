/** An error the sandbox answers with, in the shape the service's SDK deserialises. */
export class AwsError extends Error {
  /** The error code, which the SDK turns into the exception's `name`. */
  readonly code: string;
  /** The HTTP status AWS answers this error with. */
  readonly status: number;
  /** Extra members of the error structure (e.g. RedirectException's `Location`). */
  readonly fields: Readonly<Record<string, string>>;
  /** Extra response headers. */
  readonly headers: Readonly<Record<string, string>>;
  /** SQS's legacy query error code (the `x-amzn-query-error` header); defaults to `code`. */
  readonly queryCode: string | undefined;

  constructor(
    code: string,
    message: string,
    options: {
      status?: number;
      fields?: Record<string, string>;
      headers?: Record<string, string>;
      queryCode?: string;
    } = {},
  ) {
    super(message);
    this.name = 'AwsError';
    this.code = code;
    this.status = options.status ?? 400;
    this.fields = options.fields ?? {};
    this.headers = options.headers ?? {};
    this.queryCode = options.queryCode;
  }

  /** True for a server fault (5xx), false for a client error. */
  get fault(): boolean {
    return this.status >= 500;
  }
}

/** AWS's wording for a member that breaks its constraint, as the coral validator words it. */
export const constraintMessage = (member: string, value: unknown, constraint: string): string =>
  `1 validation error detected: Value ${value === null ? 'null' : `'${String(value)}'`} at '${member}' failed to satisfy constraint: ${constraint}`;

/** The member name as AWS's validation messages spell it (lower camel case). */
export const memberPath = (name: string): string => name.charAt(0).toLowerCase() + name.slice(1);

/** A ValidationException for a member that breaks its constraint. */
export const constraintError = (name: string, value: unknown, constraint: string): AwsError =>
  new AwsError('ValidationException', constraintMessage(memberPath(name), value, constraint));
