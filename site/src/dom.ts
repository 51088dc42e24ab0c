/** Small DOM helpers shared by the pages: fields with their error text, live regions. */

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`the page has no element #${id}`);
  return element as T;
}

/** Shows (or clears, with '') the error beside a field and marks the field invalid for assistive technology. */
export function setFieldError(fieldId: string, message: string): void {
  const field = document.getElementById(fieldId);
  const error = document.getElementById(`${fieldId}-error`);
  if (error) {
    error.textContent = message;
    error.hidden = message === '';
  }
  if (field) {
    if (message) field.setAttribute('aria-invalid', 'true');
    else field.removeAttribute('aria-invalid');
  }
}

export function clearFieldErrors(form: HTMLFormElement): void {
  for (const error of Array.from(form.querySelectorAll<HTMLElement>('.field-error'))) {
    error.textContent = '';
    error.hidden = true;
  }
  for (const field of Array.from(form.querySelectorAll('[aria-invalid]'))) field.removeAttribute('aria-invalid');
}

/** Writes a message into a live region (role=status or role=alert); '' hides it. */
export function announce(regionId: string, message: string, extra: string[] = []): void {
  const region = byId(regionId);
  region.replaceChildren();
  if (message === '') {
    region.hidden = true;
    return;
  }
  region.hidden = false;
  const paragraph = document.createElement('p');
  paragraph.textContent = message;
  region.append(paragraph);
  if (extra.length > 0) {
    const list = document.createElement('ul');
    for (const line of extra) {
      const item = document.createElement('li');
      item.textContent = line;
      list.append(item);
    }
    region.append(list);
  }
}

export function value(form: HTMLFormElement, name: string): string {
  const element = form.elements.namedItem(name);
  if (element instanceof HTMLInputElement || element instanceof HTMLSelectElement || element instanceof HTMLTextAreaElement) return element.value.trim();
  if (element instanceof RadioNodeList) return element.value.trim();
  return '';
}

export function today(): string {
  const now = new Date();
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

export interface Dentist {
  id: string;
  name: string;
}

export function fillDentists(select: HTMLSelectElement, dentists: Dentist[], selected?: string): void {
  select.replaceChildren();
  const placeholder = document.createElement('option');
  placeholder.value = '';
  placeholder.textContent = 'Choose a dentist';
  select.append(placeholder);
  for (const dentist of dentists) {
    const option = document.createElement('option');
    option.value = dentist.name;
    option.textContent = dentist.name;
    if (dentist.name === selected) option.selected = true;
    select.append(option);
  }
}
