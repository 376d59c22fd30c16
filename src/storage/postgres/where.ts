export type Param = string | number | boolean | null | readonly (string | number)[];

/**
 * Builds a WHERE clause from optional filters, keeping conditions and their parameters
 * together. Write `?` for the parameter; it becomes `$n` in order.
 */
export class Where {
  private readonly conditions: string[] = [];
  readonly params: Param[] = [];

  add(condition: string, value?: Param): this {
    if (value === undefined) {
      this.conditions.push(condition);
    } else {
      this.params.push(value);
      this.conditions.push(condition.replace('?', `$${this.params.length}`));
    }
    return this;
  }

  /** Adds the condition only when the value is given. */
  optional(condition: string, value: Param | undefined): this {
    return value === undefined ? this : this.add(condition, value);
  }

  /** The next parameter's placeholder, for what follows the clause (e.g. LIMIT). */
  next(value: Param): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }

  toString(): string {
    return this.conditions.length === 0 ? 'true' : this.conditions.join(' AND ');
  }
}
