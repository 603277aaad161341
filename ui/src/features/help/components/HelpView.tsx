// The help view (/help): every command-bar command with its usage and an example.

import { Link } from "react-router-dom";
import { COMMANDS } from "../../../lib/commandParser";

export function HelpView() {
  return (
    <div className="view">
      <h1>Help</h1>
      <p>
        Type a command in the command bar at the top. Press <kbd>/</kbd> or <kbd>Ctrl</kbd>+
        <kbd>K</kbd> to focus it, <kbd>Tab</kbd> to complete, <kbd>↑</kbd>/<kbd>↓</kbd> to go
        through earlier commands.
      </p>
      <div className="table-scroll">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Command</th>
              <th scope="col">What it does</th>
              <th scope="col">Example</th>
            </tr>
          </thead>
          <tbody>
            {COMMANDS.map((command) => (
              <tr key={command.name}>
                <td>
                  <code>{command.usage}</code>
                </td>
                <td>{command.description}</td>
                <td>
                  <code>{command.example}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="muted">
        Ids may contain spaces and slashes: everything after the command word is the id. Every view
        has its own address, e.g. <Link to="/review">/review</Link>, so you can share it.
      </p>
    </div>
  );
}
