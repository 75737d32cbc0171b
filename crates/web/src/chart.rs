//! Small SVG charts, drawn on the server: no script, nothing loaded from elsewhere.

use maud::{html, Markup};

/// A line chart of one series, with its labels under the x axis and the scale on the left.
pub fn line(title: &str, points: &[(String, i64)]) -> Markup {
    let (w, h, left, bottom, top) = (640.0, 220.0, 48.0, 28.0, 16.0);
    let max = points.iter().map(|p| p.1).max().unwrap_or(0).max(1);
    // A round top for the scale, so the grid lines read as whole numbers.
    let step = nice_step(max);
    let top_value = (max + step - 1) / step * step;
    let n = points.len().max(2) as f64;
    let x = |i: usize| left + (w - left - 12.0) * i as f64 / (n - 1.0);
    let y = |v: i64| top + (h - top - bottom) * (1.0 - v as f64 / top_value as f64);
    let path: Vec<String> = points
        .iter()
        .enumerate()
        .map(|(i, p)| format!("{:.1},{:.1}", x(i), y(p.1)))
        .collect();
    let every = points.len().div_ceil(12).max(1);
    html! {
        svg.chart viewBox={ "0 0 " (w) " " (h) } role="img" aria-label=(title) xmlns="http://www.w3.org/2000/svg" {
            title { (title) }
            @for k in 0..=(top_value / step) {
                @let v = k * step;
                line.grid x1=(left) x2=(w - 8.0) y1=(y(v)) y2=(y(v)) {}
                text x=(left - 6.0) y=(y(v) + 4.0) text-anchor="end" { (v) }
            }
            polyline.line points=(path.join(" ")) {}
            @for (i, p) in points.iter().enumerate() {
                circle.dot cx=(x(i)) cy=(y(p.1)) r="3" { title { (p.0) ": " (p.1) } }
                @if i % every == 0 || i + 1 == points.len() {
                    // The last label ends at its point, so it is not cut at the edge.
                    text x=(x(i)) y=(h - 8.0) text-anchor=(if i + 1 == points.len() { "end" } else { "middle" }) { (p.0) }
                }
            }
        }
    }
}

/// A bar chart: one bar per labelled value, the value written above it.
pub fn bars(title: &str, bars: &[(String, i64)]) -> Markup {
    let (w, h, left, bottom, top) = (640.0, 220.0, 48.0, 28.0, 16.0);
    let max = bars.iter().map(|b| b.1).max().unwrap_or(0).max(1);
    let step = nice_step(max);
    let top_value = (max + step - 1) / step * step;
    let n = bars.len().max(1) as f64;
    let slot = (w - left - 12.0) / n;
    let y = |v: i64| top + (h - top - bottom) * (1.0 - v as f64 / top_value as f64);
    html! {
        svg.chart viewBox={ "0 0 " (w) " " (h) } role="img" aria-label=(title) xmlns="http://www.w3.org/2000/svg" {
            title { (title) }
            @for k in 0..=(top_value / step) {
                @let v = k * step;
                line.grid x1=(left) x2=(w - 8.0) y1=(y(v)) y2=(y(v)) {}
                text x=(left - 6.0) y=(y(v) + 4.0) text-anchor="end" { (v) }
            }
            @for (i, b) in bars.iter().enumerate() {
                @let x = left + slot * i as f64 + slot * 0.15;
                rect.bar x=(format!("{x:.1}")) y=(format!("{:.1}", y(b.1))) width=(format!("{:.1}", slot * 0.7)) height=(format!("{:.1}", y(0) - y(b.1))) { title { (b.0) ": " (b.1) } }
                text x=(format!("{:.1}", x + slot * 0.35)) y=(format!("{:.1}", y(b.1) - 3.0)) text-anchor="middle" { (b.1) }
                text x=(format!("{:.1}", x + slot * 0.35)) y=(h - 8.0) text-anchor="middle" { (b.0) }
            }
        }
    }
}

fn nice_step(max: i64) -> i64 {
    let rough = (max as f64 / 4.0).max(1.0);
    let mag = 10f64.powf(rough.log10().floor());
    let m = rough / mag;
    let nice = if m <= 1.0 {
        1.0
    } else if m <= 2.0 {
        2.0
    } else if m <= 5.0 {
        5.0
    } else {
        10.0
    };
    (nice * mag) as i64
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_scale_is_round() {
        assert_eq!(super::nice_step(700), 200);
        assert_eq!(super::nice_step(3), 1);
        assert_eq!(super::nice_step(25_000), 10_000);
    }

    #[test]
    fn every_bar_is_drawn_with_its_value() {
        let b = vec![("real".to_string(), 40), ("loose".to_string(), 95)];
        let svg = super::bars("Exposed", &b).into_string();
        assert_eq!(svg.matches("<rect").count(), 2);
        assert!(svg.contains(">95</text>") && svg.contains(">loose</text>"));
    }

    #[test]
    fn every_point_is_drawn() {
        let pts: Vec<(String, i64)> = (0..12).map(|i| (format!("m{i}"), i * 10)).collect();
        let svg = super::line("Members", &pts).into_string();
        assert_eq!(svg.matches("<circle").count(), 12);
        assert!(svg.contains("<title>Members</title>"));
    }
}
