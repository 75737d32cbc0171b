//! The printed PDFs are checked as a reader's tools see them: `pdfinfo` for the page count and
//! `pdftotext` for the text (Debian's poppler-utils, installed by `.ci/run`).

use print::{document, edition, Edition, Section};
use std::process::Command;

fn tool(name: &str) -> bool {
    let ok = Command::new(name).arg("-v").output().is_ok();
    if !ok {
        let ci = std::env::var("CI")
            .map(|v| !v.is_empty() && v != "false" && v != "0")
            .unwrap_or(false);
        assert!(!ci, "{name} (poppler-utils) is needed under CI");
        eprintln!("{name} is not installed (apt-get install poppler-utils): skipping");
    }
    ok
}

fn write(pdf: &[u8]) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.pdf");
    std::fs::write(&path, pdf).unwrap();
    (dir, path)
}

fn pages(path: &std::path::Path) -> u32 {
    let out = Command::new("pdfinfo").arg(path).output().unwrap();
    assert!(
        out.status.success(),
        "pdfinfo failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let info = String::from_utf8(out.stdout).unwrap();
    info.lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .map(|n| n.trim().parse().unwrap())
        .expect("pdfinfo names the page count")
}

fn text(path: &std::path::Path) -> String {
    let out = Command::new("pdftotext")
        .arg(path)
        .arg("-")
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

fn long_paragraph(seed: &str, words: usize) -> String {
    (0..words)
        .map(|i| format!("{seed}{}", i % 17))
        .collect::<Vec<_>>()
        .join(" ")
}

fn sample(articles: usize) -> Edition {
    Edition {
        paper: "The Spark".into(),
        number: 42,
        date: "2026-11-28".into(),
        price: "1.50".into(),
        headline: "The whole yard walks out".into(),
        articles: (0..articles)
            .map(|i| Section {
                heading: format!("Report number {i} from the docks"),
                paragraphs: vec![
                    long_paragraph("solidarity", 120),
                    long_paragraph("organise", 90),
                ],
            })
            .collect(),
        columns: 3,
    }
}

#[test]
fn an_edition_has_its_masthead_number_date_and_articles() {
    let pdf = edition(&sample(2)).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    if !tool("pdftotext") {
        return;
    }
    let (_dir, path) = write(&pdf);
    assert_eq!(pages(&path), 1);
    // Lines break where the columns do: compare with runs of white space made one space.
    let t = text(&path).split_whitespace().collect::<Vec<_>>().join(" ");
    for want in [
        "THE SPARK",
        "No. 42",
        "2026-11-28",
        "Price 1.50",
        "The whole yard walks out",
        "Report number 1 from the docks",
    ] {
        assert!(t.contains(want), "{want:?} not in the text:\n{t}");
    }
}

#[test]
fn a_long_edition_flows_over_pages_in_columns() {
    let pdf = edition(&sample(20)).unwrap();
    if !tool("pdfinfo") {
        return;
    }
    let (_dir, path) = write(&pdf);
    let n = pages(&path);
    assert!(
        n >= 2,
        "20 long articles should take more than one page, got {n}"
    );
    // In columns, a page holds more than one column's width of text: pdftotext -layout shows
    // text from two columns side by side on at least one line.
    let out = Command::new("pdftotext")
        .args(["-layout"])
        .arg(&path)
        .arg("-")
        .output()
        .unwrap();
    let laid = String::from_utf8(out.stdout).unwrap();
    assert!(
        laid.lines().any(
            |l| l.matches("solidarity").count() + l.matches("organise").count() >= 4
                && l.contains("   ")
        ),
        "no line shows columns side by side"
    );
}

#[test]
fn text_is_printed_as_written_never_run_as_markup() {
    let mut e = sample(1);
    e.headline = "#panic(\"boom\") *not bold* $x^2$ #read(\"/etc/passwd\")".into();
    let pdf = edition(&e).expect("markup characters in the text are not evaluated");
    if !tool("pdftotext") {
        return;
    }
    let (_dir, path) = write(&pdf);
    let t = text(&path);
    assert!(t.contains("#panic"), "{t}");
    assert!(t.contains("*not bold*"), "{t}");
}

#[test]
fn a_document_has_its_title_and_sections() {
    let pdf = document(
        "Minutes of the Second Congress",
        &[
            Section {
                heading: "Paragraph 1".into(),
                paragraphs: vec!["Lenin's formula was put to the vote.".into()],
            },
            Section {
                heading: "Elections".into(),
                paragraphs: vec![long_paragraph("delegate", 50)],
            },
        ],
    )
    .unwrap();
    if !tool("pdftotext") {
        return;
    }
    let (_dir, path) = write(&pdf);
    assert_eq!(pages(&path), 1);
    let t = text(&path);
    assert!(t.contains("Minutes of the Second Congress"));
    assert!(
        t.contains("Lenin’s formula") || t.contains("Lenin's formula"),
        "{t}"
    );
    assert!(t.contains("Elections"));
}
