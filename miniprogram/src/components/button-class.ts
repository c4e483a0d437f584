/**
 * Button looks by class. Taro's H5 button keeps `disabled="false"` on enabled buttons and styles
 * every `[disabled]` one with white text, so neither attribute selectors nor its defaults can be
 * trusted: the colours are set here (app.css, !important) and the disabled look is a class.
 */
export const buttonClass = (variant: 'primary' | 'ghost' | 'plain', disabled: boolean, extra = '') =>
  `btn btn-${variant}${extra ? ` ${extra}` : ''}${disabled ? ' is-disabled' : ''}`;

export const primaryClass = (disabled: boolean) => buttonClass('primary', disabled);
