// The root component: providers around the router.

import { useState } from "react";
import { createBrowserRouter, RouterProvider } from "react-router-dom";
import { Providers } from "./providers";
import { routes } from "./routes";

export function App() {
  const [router] = useState(() => createBrowserRouter(routes));
  return (
    <Providers>
      <RouterProvider router={router} />
    </Providers>
  );
}
