// The page frame: header with brand, command bar, navigation and theme toggle; the view below.

import { Link, NavLink, Outlet, useLocation } from "react-router-dom";
import { TokenPrompt } from "../features/auth/components/TokenPrompt";
import { CommandBar } from "../features/commandBar/components/CommandBar";
import { ThemeToggle } from "./theme";

export function Layout() {
  // The recent runs are the home page too: their link is the current one at "/" as well.
  const { pathname } = useLocation();
  const atRecent = pathname === "/" || pathname === "/recent";
  return (
    <>
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <header className="app-header">
        <Link to="/" className="brand">
          mltrace
        </Link>
        <CommandBar />
        <nav className="app-nav" aria-label="Main">
          <Link
            to="/recent"
            data-label="Recent"
            className={atRecent ? "active" : undefined}
            aria-current={atRecent ? "page" : undefined}
          >
            Recent
          </Link>
          <NavLink to="/review" data-label="Review">
            Review
          </NavLink>
          <NavLink to="/help" data-label="Help">
            Help
          </NavLink>
        </nav>
        <ThemeToggle />
      </header>
      <main id="main" className="app-main" tabIndex={-1}>
        <Outlet />
      </main>
      <TokenPrompt />
    </>
  );
}
