/** A few facts as label → value pairs: the dashboard's one definition-list markup. */
import type { ReactNode } from 'react';

export function Facts({ items, className, testId }: { items: readonly (readonly [string, ReactNode])[]; className?: string; testId?: string }) {
  return (
    <dl className={className ? `facts ${className}` : 'facts'} data-testid={testId}>
      {items.map(([label, value]) => (
        <div key={label}>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
