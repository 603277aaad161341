// The console's routes: one URL per view, ids as single encoded path segments.

import { Link, Navigate, type RouteObject } from "react-router-dom";
import { usePathSegment } from "../lib/usePathSegment";
import { CompareView } from "../features/compare/components/CompareView";
import { HelpView } from "../features/help/components/HelpView";
import { HistoryView } from "../features/history/components/HistoryView";
import { ImpactView } from "../features/impact/components/ImpactView";
import { InspectView } from "../features/inspect/components/InspectView";
import { RecentView } from "../features/recent/components/RecentView";
import { ReviewView } from "../features/review/components/ReviewView";
import { TagView } from "../features/tag/components/TagView";
import { DEFAULT_HISTORY_LIMIT } from "../lib/commandParser";
import { paths } from "../lib/paths";
import { Layout } from "./Layout";
import { LazyTraceView } from "./LazyTraceView";

function HistoryDefaultLimit() {
  const name = usePathSegment(2);
  return <Navigate to={paths.history(name, DEFAULT_HISTORY_LIMIT)} replace />;
}

function NotFound() {
  return (
    <div className="view">
      <h1>Page not found</h1>
      <p>
        There is no view at this address. Try <Link to="/help">help</Link> or the{" "}
        <Link to="/">recent runs</Link>.
      </p>
    </div>
  );
}

export const routes: RouteObject[] = [
  {
    element: <Layout />,
    children: [
      { path: "/", element: <RecentView /> },
      { path: "/recent", element: <RecentView /> },
      { path: "/history/:name", element: <HistoryDefaultLimit /> },
      { path: "/history/:name/:n", element: <HistoryView /> },
      { path: "/inspect/:id", element: <InspectView /> },
      { path: "/trace/:id", element: <LazyTraceView /> },
      { path: "/downstream/:id", element: <LazyTraceView ofRun /> },
      { path: "/diff/:a/:b", element: <LazyTraceView diff /> },
      { path: "/impact/:id", element: <ImpactView /> },
      { path: "/compare/:ids", element: <CompareView /> },
      { path: "/tag/:tag", element: <TagView /> },
      { path: "/review", element: <ReviewView /> },
      { path: "/help", element: <HelpView /> },
      { path: "*", element: <NotFound /> },
    ],
  },
];
