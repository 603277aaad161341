import { describe, expect, it } from "vitest";
import { middleEllipsis, pointerLabels } from "./pointerLabels";

describe("pointerLabels", () => {
  it("shows the file name with its folder when both fit", () => {
    const labels = pointerLabels(["data/raw/events-2026-12-01.csv", "models/model.json"], 26);
    expect(labels.get("data/raw/events-2026-12-01.csv")).toEqual({
      name: "events-2026-12-01.csv",
      folder: "data/raw/",
    });
    expect(labels.get("models/model.json")).toEqual({ name: "model.json", folder: "models/" });
  });

  it("keeps the folder segments that tell two files of the same name apart", () => {
    const raw = "warehouse/landing/vendor-a/raw/events-2026-12-01.csv";
    const clean = "warehouse/landing/vendor-a/clean/events-2026-12-01.csv";
    const labels = pointerLabels([raw, clean], 26);
    expect(labels.get(raw)).toEqual({ name: "events-2026-12-01.csv", folder: "…/raw/" });
    expect(labels.get(clean)).toEqual({ name: "events-2026-12-01.csv", folder: "…/clean/" });
  });

  it("keeps more than one segment when the last one is shared too", () => {
    const a = "bucket/region-one/2026/raw/x.csv";
    const b = "bucket/region-two/2026/raw/x.csv";
    const labels = pointerLabels([a, b], 16);
    expect(labels.get(a)?.folder).toBe("…/region-one/…/");
    expect(labels.get(b)?.folder).toBe("…/region-two/…/");
    expect(pointerLabels([a, b], 40).get(a)?.folder).toBe("bucket/region-one/2026/raw/");
  });

  it("shortens a long folder from the left when its file name is unique", () => {
    const name = "s3://acme-sensors/events/archive/2026-12-01.jsonl";
    expect(pointerLabels([name], 26).get(name)).toEqual({
      name: "2026-12-01.jsonl",
      folder: "…/archive/",
    });
  });

  it("cuts a long name without a folder in the middle", () => {
    const id = "da6fa138-9105-4883-9501-baa07c35058b";
    const label = pointerLabels([id]).get(id)!;
    expect(label.folder).toBe("");
    expect(Array.from(label.name)).toHaveLength(24);
    expect(label.name.startsWith("da6fa138-9")).toBe(true);
    expect(label.name.endsWith("a07c35058b")).toBe(true);
  });

  it("leaves odd names readable: a trailing slash, a lone slash, non-ASCII letters", () => {
    const labels = pointerLabels(["exports/", "/", "données/été.csv"], 26);
    expect(labels.get("exports/")).toEqual({ name: "exports", folder: "" });
    expect(labels.get("/")).toEqual({ name: "/", folder: "" });
    expect(labels.get("données/été.csv")).toEqual({ name: "été.csv", folder: "données/" });
  });
});

describe("middleEllipsis", () => {
  it("keeps the start and the end", () => {
    expect(middleEllipsis("abcdefghij", 5)).toBe("ab…ij");
    expect(middleEllipsis("abc", 5)).toBe("abc");
  });
});
