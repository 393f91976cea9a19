/**
 * The TodoMVC app spec, exercised through the DOM against the real app: SharedWorker host,
 * IndexedDB, comlink, React. Each test gets a fresh browser context (fresh storage).
 */
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { addTodo, openTodo, startTodoEnv, stopTodoEnv, titles, type TodoEnv } from './todo-page.ts';

let env: TodoEnv | undefined;
let context: BrowserContext;
let page: Page;

test.beforeAll(async () => {
  env = await startTodoEnv();
});
test.afterAll(async () => {
  await stopTodoEnv(env);
});
test.beforeEach(async () => {
  context = await env!.browser.newContext();
  page = await openTodo(context, env!.server);
});
test.afterEach(async () => {
  await context.close();
});

test.describe('TodoMVC', () => {
  test('with no todos, main and footer are hidden', async () => {
    await expect(page.locator('.main')).toHaveCount(0);
    await expect(page.locator('.footer')).toHaveCount(0);
    await expect(page.locator('.new-todo')).toBeFocused();
  });

  test('adding trims the title, clears the input, appends to the list, and ignores empty input', async () => {
    await addTodo(page, '  buy milk  ');
    await expect(titles(page)).toHaveText(['buy milk']);
    await expect(page.locator('.new-todo')).toHaveValue('');
    await addTodo(page, '   ');
    await addTodo(page, '');
    await addTodo(page, 'walk dog');
    await expect(titles(page)).toHaveText(['buy milk', 'walk dog']);
    await expect(page.locator('.main')).toBeVisible();
    await expect(page.locator('.footer')).toBeVisible();
  });

  test('toggling marks one todo completed and back', async () => {
    await addTodo(page, 'a');
    await addTodo(page, 'b');
    await page.locator('.todo-list li').nth(0).locator('.toggle').check();
    await expect(page.locator('.todo-list li').nth(0)).toHaveClass(/completed/);
    await expect(page.locator('.todo-list li').nth(1)).not.toHaveClass(/completed/);
    await page.locator('.todo-list li').nth(0).locator('.toggle').uncheck();
    await expect(page.locator('.todo-list li').nth(0)).not.toHaveClass(/completed/);
  });

  test('toggle-all completes every todo, then clears them all; it follows the items', async () => {
    for (const t of ['a', 'b', 'c']) await addTodo(page, t);
    await page.locator('.toggle-all').check();
    await expect(page.locator('.todo-list li.completed')).toHaveCount(3);
    await page.locator('.toggle-all').uncheck();
    await expect(page.locator('.todo-list li.completed')).toHaveCount(0);
    // Checking every item by hand checks toggle-all; unchecking one clears it.
    for (const li of await page.locator('.todo-list li .toggle').all()) await li.check();
    await expect(page.locator('.toggle-all')).toBeChecked();
    await page.locator('.todo-list li').nth(1).locator('.toggle').uncheck();
    await expect(page.locator('.toggle-all')).not.toBeChecked();
  });

  test('editing: double-click edits; Enter saves trimmed, blur saves, Escape cancels, empty deletes', async () => {
    for (const t of ['a', 'b', 'c']) await addTodo(page, t);
    const li = (i: number) => page.locator('.todo-list li').nth(i);
    await li(0).locator('label').dblclick();
    await expect(li(0)).toHaveClass(/editing/);
    await expect(li(0).locator('.edit')).toBeFocused();
    await expect(li(0).locator('.edit')).toHaveValue('a');
    await expect(li(0).locator('.toggle')).toBeHidden();
    await li(0).locator('.edit').fill('  a2  ');
    await li(0).locator('.edit').press('Enter');
    await expect(titles(page)).toHaveText(['a2', 'b', 'c']);
    await expect(li(0)).not.toHaveClass(/editing/);

    await li(1).locator('label').dblclick();
    await li(1).locator('.edit').fill('b2');
    await page.locator('.new-todo').click(); // blur
    await expect(titles(page)).toHaveText(['a2', 'b2', 'c']);

    await li(2).locator('label').dblclick();
    await li(2).locator('.edit').fill('nope');
    await li(2).locator('.edit').press('Escape');
    await expect(titles(page)).toHaveText(['a2', 'b2', 'c']);
    await expect(li(2)).not.toHaveClass(/editing/);

    await li(1).locator('label').dblclick();
    await li(1).locator('.edit').fill('   ');
    await li(1).locator('.edit').press('Enter');
    await expect(titles(page)).toHaveText(['a2', 'c']);
  });

  test('destroy removes a todo', async () => {
    await addTodo(page, 'a');
    await addTodo(page, 'b');
    await page.locator('.todo-list li').nth(0).hover();
    await page.locator('.todo-list li').nth(0).locator('.destroy').click();
    await expect(titles(page)).toHaveText(['b']);
  });

  test('the counter counts active todos and pluralises', async () => {
    await addTodo(page, 'a');
    await expect(page.locator('.todo-count')).toHaveText('1 item left');
    await expect(page.locator('.todo-count strong')).toHaveText('1');
    await addTodo(page, 'b');
    await expect(page.locator('.todo-count')).toHaveText('2 items left');
    await page.locator('.todo-list li').nth(0).locator('.toggle').check();
    await expect(page.locator('.todo-count')).toHaveText('1 item left');
    await page.locator('.todo-list li').nth(1).locator('.toggle').check();
    await expect(page.locator('.todo-count')).toHaveText('0 items left');
  });

  test('filters route by #/, #/active and #/completed, highlight the current one, and follow history', async () => {
    for (const t of ['a', 'b', 'c']) await addTodo(page, t);
    await page.locator('.todo-list li').nth(1).locator('.toggle').check();
    await page.getByRole('link', { name: 'Active' }).click();
    await expect(page).toHaveURL(/#\/active$/);
    await expect(titles(page)).toHaveText(['a', 'c']);
    await expect(page.locator('.filters a.selected')).toHaveText('Active');
    await page.getByRole('link', { name: 'Completed' }).click();
    await expect(titles(page)).toHaveText(['b']);
    await expect(page.locator('.filters a.selected')).toHaveText('Completed');
    await page.goBack();
    await expect(titles(page)).toHaveText(['a', 'c']);
    await page.getByRole('link', { name: 'All' }).click();
    await expect(titles(page)).toHaveText(['a', 'b', 'c']);
    await expect(page.locator('.filters a.selected')).toHaveText('All');
    // A toggle under a filter moves the item out of view.
    await page.getByRole('link', { name: 'Active' }).click();
    // click, not check: the row leaves the view, so its checkbox cannot be re-read.
    await page.locator('.todo-list li').nth(0).locator('.toggle').click();
    await expect(titles(page)).toHaveText(['c']);
  });

  test('clear completed removes completed todos and hides itself when there are none', async () => {
    for (const t of ['a', 'b', 'c']) await addTodo(page, t);
    await expect(page.locator('.clear-completed')).toHaveCount(0);
    await page.locator('.todo-list li').nth(0).locator('.toggle').check();
    await page.locator('.todo-list li').nth(2).locator('.toggle').check();
    await expect(page.locator('.clear-completed')).toBeVisible();
    await page.locator('.clear-completed').click();
    await expect(titles(page)).toHaveText(['b']);
    await expect(page.locator('.clear-completed')).toHaveCount(0);
  });

  test('todos, their state and the route persist across reload', async () => {
    for (const t of ['a', 'b']) await addTodo(page, t);
    await page.locator('.todo-list li').nth(1).locator('.toggle').check();
    await page.getByRole('link', { name: 'Completed' }).click();
    await expect(titles(page)).toHaveText(['b']);
    await page.reload();
    await expect(titles(page)).toHaveText(['b']);
    await expect(page.locator('.todo-list li').nth(0)).toHaveClass(/completed/);
    await page.getByRole('link', { name: 'All' }).click();
    await expect(titles(page)).toHaveText(['a', 'b']);
  });

  test('named lists keep their own todos', async () => {
    await addTodo(page, 'home thing');
    await page.locator('.add-list').click();
    await page.locator('.new-list').fill('Work');
    await page.locator('.new-list').press('Enter');
    await expect(page.locator('.weft-lists button.selected')).toHaveText('Work');
    await expect(page.locator('.todo-list li')).toHaveCount(0);
    await addTodo(page, 'work thing');
    await expect(titles(page)).toHaveText(['work thing']);
    await page.locator('.weft-lists button', { hasText: 'My todos' }).click();
    await expect(titles(page)).toHaveText(['home thing']);
  });

  test('a write the schema refuses shows a clear error and the app keeps working', async () => {
    await addTodo(page, 'x'.repeat(501));
    await expect(page.locator('.weft-error')).toBeVisible();
    await expect(page.locator('.weft-error')).toHaveAttribute('data-code', 'E_VALIDATION');
    await expect(page.locator('.weft-error')).toContainText('E_VALIDATION');
    await expect(page.locator('.todo-list li')).toHaveCount(0);
    await addTodo(page, 'fine');
    await expect(titles(page)).toHaveText(['fine']);
    await expect(page.locator('.weft-error')).toHaveCount(0);
  });
});
