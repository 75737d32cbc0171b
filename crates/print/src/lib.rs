//! Printable PDFs, typeset by an embedded [Typst](https://typst.app): real line breaking with
//! hyphenation and justification, multi-column layout, page numbering.
//!
//! Fonts are bundled in the binary (`typst-assets`: Libertinus Serif, New Computer Modern, DejaVu
//! Sans Mono); nothing is read from the disk or the network. The text given is never pasted into
//! Typst markup: it is handed to the template as JSON data and set as plain strings, so a headline
//! such as `#import "/etc/passwd"` is printed as written, not run.
//!
//! Two entry points: [`edition`] (a newspaper edition: masthead, number, date, price, headline,
//! articles in columns) and [`document`] (a title and sections, e.g. minutes).

use serde::Serialize;
use std::sync::LazyLock;
use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;

#[derive(Debug, thiserror::Error)]
pub enum PrintError {
    #[error("typesetting failed: {0}")]
    Typeset(String),
    #[error("writing the PDF failed: {0}")]
    Pdf(String),
}

/// A section: a heading and its paragraphs (plain text; blank lines are not needed).
#[derive(Clone, Debug, Default, Serialize)]
pub struct Section {
    pub heading: String,
    pub paragraphs: Vec<String>,
}

/// An edition of a paper, ready to print.
#[derive(Clone, Debug, Serialize)]
pub struct Edition {
    /// The paper's name, set as the masthead.
    pub paper: String,
    pub number: i64,
    /// As it should be printed, e.g. `2026-11-28`.
    pub date: String,
    /// As it should be printed, e.g. `1.50`.
    pub price: String,
    pub headline: String,
    pub articles: Vec<Section>,
    /// 2 or 3.
    pub columns: u8,
}

const EDITION_TEMPLATE: &str = r#"
#let d = json("/data.json")
#set document(title: d.paper + " No. " + str(d.number))
#set page(paper: "a4", margin: (x: 1.4cm, top: 1.5cm, bottom: 1.8cm),
  footer: context [#set text(size: 8pt); #d.paper #sym.dot.c No. #d.number #sym.dot.c #d.date #h(1fr) #counter(page).display()])
#set text(font: "Libertinus Serif", size: 9.5pt, lang: "en", hyphenate: true)
#set par(justify: true, leading: 0.55em, spacing: 0.8em)
#show heading: it => block(above: 1em, below: 0.5em, text(size: 12pt, weight: "bold", it.body))
#align(center, text(size: 40pt, weight: "bold", tracking: 2pt, upper(d.paper)))
#line(length: 100%, stroke: 1.2pt)
#v(-0.6em)
#grid(columns: (1fr, 1fr, 1fr), [No. #d.number], align(center, d.date), align(right, [Price #d.price]))
#v(-0.6em)
#line(length: 100%, stroke: 0.5pt)
#block(below: 1em, text(size: 24pt, weight: "bold", d.headline))
#columns(d.columns, gutter: 14pt)[
  #for a in d.articles [
    #heading(level: 2, a.heading)
    #for p in a.paragraphs { par(p) }
  ]
]
"#;

const DOCUMENT_TEMPLATE: &str = r#"
#let d = json("/data.json")
#set document(title: d.title)
#set page(paper: "a4", margin: 2cm, footer: context align(center, text(size: 8pt, counter(page).display())))
#set text(font: "Libertinus Serif", size: 11pt, lang: "en", hyphenate: true)
#set par(justify: true)
#align(center, text(size: 20pt, weight: "bold", d.title))
#v(1em)
#for s in d.sections [
  #heading(level: 1, s.heading)
  #for p in s.paragraphs { par(p) }
]
"#;

/// Typesets an edition: masthead, number, date and price, the headline across the page, the
/// articles in columns.
pub fn edition(e: &Edition) -> Result<Vec<u8>, PrintError> {
    let mut e = e.clone();
    e.columns = e.columns.clamp(2, 3);
    compile(EDITION_TEMPLATE, &e)
}

/// Typesets a general document: a title and its sections, one column.
pub fn document(title: &str, sections: &[Section]) -> Result<Vec<u8>, PrintError> {
    #[derive(Serialize)]
    struct Doc<'a> {
        title: &'a str,
        sections: &'a [Section],
    }
    compile(DOCUMENT_TEMPLATE, &Doc { title, sections })
}

/// The fonts, parsed once per process.
static FONTS: LazyLock<(LazyHash<FontBook>, Vec<Font>)> = LazyLock::new(|| {
    let fonts: Vec<Font> = typst_assets::fonts()
        .flat_map(|data| Font::iter(Bytes::new(data)))
        .collect();
    (LazyHash::new(FontBook::from_fonts(&fonts)), fonts)
});

static LIBRARY: LazyLock<LazyHash<Library>> = LazyLock::new(|| LazyHash::new(Library::default()));

fn file_id(path: &str) -> FileId {
    RootedPath::new(
        VirtualRoot::Project,
        VirtualPath::new(path).expect("a fixed path"),
    )
    .intern()
}

/// A world of two files: the template and its data.
struct Sheet {
    main: Source,
    data_id: FileId,
    data: Bytes,
}

impl World for Sheet {
    fn library(&self) -> &LazyHash<Library> {
        &LIBRARY
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &FONTS.0
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.data_id {
            Ok(self.data.clone())
        } else if id == self.main.id() {
            Ok(Bytes::from_string(self.main.clone()))
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        FONTS.1.get(index).cloned()
    }

    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        None
    }
}

fn compile(template: &str, data: &impl Serialize) -> Result<Vec<u8>, PrintError> {
    let json = serde_json::to_vec(data).map_err(|e| PrintError::Typeset(e.to_string()))?;
    let world = Sheet {
        main: Source::new(file_id("/main.typ"), template.to_string()),
        data_id: file_id("/data.json"),
        data: Bytes::new(json),
    };
    let doc: PagedDocument = typst::compile(&world).output.map_err(|errs| {
        PrintError::Typeset(
            errs.iter()
                .map(|e| e.message.to_string())
                .collect::<Vec<_>>()
                .join("; "),
        )
    })?;
    typst_pdf::pdf(&doc, &typst_pdf::PdfOptions::default()).map_err(|errs| {
        PrintError::Pdf(
            errs.iter()
                .map(|e| e.message.to_string())
                .collect::<Vec<_>>()
                .join("; "),
        )
    })
}
