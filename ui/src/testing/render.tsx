// Renders the whole console at a URL, as the browser would show it, for component tests.

import { render } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { createMemoryRouter, RouterProvider } from "react-router-dom";
import { Providers } from "../app/providers";
import { routes } from "../app/routes";

/** The console at `path` (its routes, providers and command bar); the router shows where it went. */
export function renderAt(path: string) {
  const router = createMemoryRouter(routes, { initialEntries: [path] });
  const user = userEvent.setup();
  const view = render(
    <Providers>
      <RouterProvider router={router} />
    </Providers>,
  );
  return { ...view, router, user };
}
