// The page frame: header with brand, command bar, navigation and theme toggle; the view below.

import { Link, NavLink, Outlet } from "react-router-dom";
import { CommandBar } from "../features/commandBar/components/CommandBar";
import { ThemeToggle } from "./theme";

export function Layout() {
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
          <NavLink to="/recent">Recent</NavLink>
          <NavLink to="/review">Review</NavLink>
          <NavLink to="/help">Help</NavLink>
        </nav>
        <ThemeToggle />
      </header>
      <main id="main" className="app-main" tabIndex={-1}>
        <Outlet />
      </main>
    </>
  );
}
