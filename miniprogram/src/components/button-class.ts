/** Disabled look by class: Taro's H5 button keeps a `disabled="false"` attribute, so `[disabled]` selectors lie. */
export const primaryClass = (disabled: boolean) => `btn btn-primary${disabled ? ' is-disabled' : ''}`;
