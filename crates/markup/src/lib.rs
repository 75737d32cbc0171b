//! Articles are written in Markdown and shown as sanitised HTML.
//!
//! A pure library: the store renders an article's HTML when it is saved, the web shows it, and
//! `plain_text` gives the paragraphs the web hands to a printed edition. The domain (`core_rules`) makes no
//! HTML.
//!
//! `pulldown-cmark` renders (raw HTML in the source passes through it), then `ammonia` keeps only
//! a fixed set of harmless tags and attributes: no script, no style, no event handlers, no
//! `javascript:` links, no frames or forms. Images are kept only from the site itself (relative
//! addresses), since the pages load nothing from third parties.

use pulldown_cmark::{html, Options, Parser};
use std::collections::HashSet;

/// Renders Markdown to HTML that is safe to put in a page.
pub fn render(markdown: &str) -> String {
    let mut opts = Options::empty();
    opts.insert(Options::ENABLE_TABLES);
    opts.insert(Options::ENABLE_STRIKETHROUGH);
    let parser = Parser::new_ext(markdown, opts);
    let mut raw = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut raw, parser);
    sanitise(&raw)
}

/// Removes every tag and attribute not on the list, and every link or image to another site.
pub fn sanitise(html: &str) -> String {
    let tags: HashSet<&str> = [
        "p",
        "br",
        "hr",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "em",
        "strong",
        "del",
        "a",
        "ul",
        "ol",
        "li",
        "blockquote",
        "code",
        "pre",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "img",
    ]
    .into_iter()
    .collect();
    let mut b = ammonia::Builder::default();
    b.tags(tags)
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .link_rel(Some("noopener noreferrer nofollow"))
        .url_relative(ammonia::UrlRelative::PassThrough)
        .attribute_filter(|element, attribute, value| {
            // Images from elsewhere would be loaded by every reader's browser: keep only the
            // site's own (a relative address).
            if element == "img" && attribute == "src" {
                let v = value.trim_start();
                if v.starts_with("//") || v.contains(':') {
                    return None;
                }
            }
            Some(value.into())
        });
    b.clean(html).to_string()
}

/// The text of a Markdown source without any markup, for the PDF and the feed's summary.
pub fn plain_text(markdown: &str) -> String {
    use pulldown_cmark::{Event, TagEnd};
    let mut out = String::new();
    for ev in Parser::new(markdown) {
        match ev {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            Event::End(TagEnd::Paragraph) | Event::End(TagEnd::Heading(_)) => out.push_str("\n\n"),
            Event::End(TagEnd::Item) => out.push('\n'),
            _ => {}
        }
    }
    out.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_becomes_html() {
        let h = render("# Strike at the yard\n\nThe *whole* shift **walked out**.");
        assert!(h.contains("<h1>Strike at the yard</h1>"), "{h}");
        assert!(h.contains("<em>whole</em>"));
        assert!(h.contains("<strong>walked out</strong>"));
    }

    #[test]
    fn script_and_dangerous_html_are_removed() {
        let src = "Hello <script>alert(1)</script> there\n\n\
                   <img src=x onerror=\"alert(2)\">\n\n\
                   [click](javascript:alert(3))\n\n\
                   <iframe src=\"https://evil.example\"></iframe>\n\n\
                   <a href=\"/x\" onclick=\"alert(4)\" style=\"color:red\">y</a>\n\n\
                   <form action=\"/steal\"><input name=p></form>";
        let h = render(src);
        for bad in [
            "<script",
            "alert(1)",
            "onerror",
            "javascript:",
            "<iframe",
            "onclick",
            "style=",
            "<form",
            "<input",
        ] {
            assert!(!h.contains(bad), "{bad} left in {h}");
        }
        assert!(h.contains("Hello"));
        assert!(h.contains("href=\"/x\""));
    }

    #[test]
    fn images_only_from_the_site() {
        let h = render(
            "![a](/media/1.png) ![b](https://tracker.example/p.gif) ![c](//cdn.example/x.png)",
        );
        assert!(h.contains("src=\"/media/1.png\""), "{h}");
        assert!(!h.contains("tracker.example"), "{h}");
        assert!(!h.contains("cdn.example"), "{h}");
    }

    #[test]
    fn plain_text_drops_markup() {
        assert_eq!(plain_text("# Head\n\nSome *text*."), "Head\n\nSome text.");
    }
}
