/** Builds a WHERE clause from optional filters, keeping conditions and their parameters together. */
export class Where {
  private readonly conditions: string[] = [];
  readonly params: (string | number)[] = [];

  add(condition: string, ...params: (string | number)[]): this {
    this.conditions.push(condition);
    this.params.push(...params);
    return this;
  }

  /** Adds the condition only when the value is given. */
  optional(condition: string, value: string | number | undefined): this {
    return value === undefined ? this : this.add(condition, value);
  }

  toString(): string {
    return this.conditions.length === 0 ? '1' : this.conditions.join(' AND ');
  }
}
