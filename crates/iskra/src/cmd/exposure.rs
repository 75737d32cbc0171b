//! `iskra exposure`: what a seized account or an infiltrator would expose, from the command line.
//! It reads the structure only (no identities), so it needs no key.

use crate::cli::{default_db, DbArgs, ExposureArgs, ExposureWhat};
use access::exposure::{Index, KINDS};
use anyhow::{bail, Context, Result};
use core_rules::exposure::meeting_risk::Assumptions;
use core_rules::exposure::simulate::{Placement, Scenario};
use store::{Create, Store};

async fn index(db: &DbArgs) -> Result<(Store, Index)> {
    db.make_private()?;
    let url = db.url()?;
    let store = Store::open(&url, Create::Never)
        .await
        .with_context(|| format!("opening {}", url.display()))?;
    let started = std::time::Instant::now();
    let snap = store.exposure_snapshot().await?;
    let rules = store.access_rules(store.today()).await?;
    let ix = Index::new(snap, rules);
    eprintln!(
        "read and indexed in {:.2} s",
        started.elapsed().as_secs_f64()
    );
    Ok((store, ix))
}

pub async fn run(args: ExposureArgs) -> Result<()> {
    match args.what {
        None => {
            let Some(who) = args.person else {
                bail!("name a person (number) or a login, or a subcommand: organisation, simulate, meeting");
            };
            let db = args.db.unwrap_or_else(default_db);
            person(&db, &who, args.json).await
        }
        Some(ExposureWhat::Organisation { db, top, json }) => organisation(&db, top, json).await,
        Some(ExposureWhat::Simulate {
            db,
            infiltrators,
            placement,
            admit,
            elected,
            talk,
            runs,
            seed,
            cell,
            json,
        }) => {
            let placement = match placement.as_str() {
                "random" => Placement::Random,
                "targeted" => Placement::Targeted,
                other => bail!("--placement {other:?}: say random or targeted"),
            };
            if cell == 0 {
                bail!("--cell: a cell needs at least one person");
            }
            let s = Scenario {
                infiltrators,
                placement,
                admit,
                elected,
                talk,
                runs,
                seed,
            };
            simulate(&db, &s, cell, json).await
        }
        Some(ExposureWhat::Meeting {
            db,
            unit,
            everyone,
            newcomers,
            json,
        }) => meeting(&db, &unit, everyone, newcomers, json).await,
    }
}

async fn person(db: &DbArgs, who: &str, json: bool) -> Result<()> {
    let (store, ix) = index(db).await?;
    let person = match who.parse::<i64>() {
        Ok(id) => id,
        Err(_) => {
            let Some(a) = store.account_by_login(who).await? else {
                bail!("there is no person numbered or account called {who:?}");
            };
            match ix.snap.accounts.iter().find(|x| x.id == a) {
                Some(x) => match x.person_id {
                    Some(p) => p,
                    None => {
                        let s = access::exposure::Subject {
                            account: Some(a),
                            person: None,
                            has_account: true,
                        };
                        return print_one(&ix, &[s], who, json);
                    }
                },
                None => bail!("the account {who:?} is suspended: it exposes nothing"),
            }
        }
    };
    let subjects = ix.subjects_of_person(person);
    if subjects.is_empty() {
        bail!("there is no person {person}");
    }
    let names = store.pseudonyms_of(&[person]).await?;
    let label = format!(
        "{} (person {person})",
        names.get(&person).cloned().unwrap_or_default()
    );
    print_one(&ix, &subjects, &label, json)
}

fn print_one(
    ix: &Index,
    subjects: &[access::exposure::Subject],
    label: &str,
    json: bool,
) -> Result<()> {
    let results: Vec<_> = subjects.iter().map(|s| ix.exposure_of(s)).collect();
    if json {
        let v: Vec<_> = results
            .iter()
            .map(|(e, class)| {
                serde_json::json!({
                    "exposure": e,
                    "units": class.units.iter().map(|(u, bits)| serde_json::json!({
                        "unit": ix.snap.units[*u as usize].code,
                        "kinds": KINDS.iter().enumerate()
                            .filter(|(k, kind)| bits & (1 << k) != 0 && kind.per_unit(ix, *u as usize) > 0)
                            .map(|(_, k)| k.name).collect::<Vec<_>>(),
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(());
    }
    println!("Exposure of {label}");
    for (e, class) in &results {
        match e.subject.account {
            Some(a) => println!("\naccount {a}:"),
            None => println!("\nno account yet; what one with no office would show:"),
        }
        for (k, n) in KINDS.iter().zip(&e.counts) {
            println!("  {:>8}  {}", n, k.label);
        }
        println!("  {:>8}  people met in person", e.met);
        println!(
            "  {:>8}  people named by the documents shown, beyond those above",
            e.named_in_documents
        );
        println!("  {:>8}  distinct people exposed in any way", e.people);
        println!("  {:>8}  units those people belong to", e.units_spanned);
        let codes: Vec<&str> = class
            .units
            .iter()
            .take(20)
            .map(|(u, _)| ix.snap.units[*u as usize].code.as_str())
            .collect();
        if !codes.is_empty() {
            println!(
                "  units shown: {}{}",
                codes.join(", "),
                if class.units.len() > 20 { ", ..." } else { "" }
            );
        }
    }
    Ok(())
}

async fn organisation(db: &DbArgs, top: usize, json: bool) -> Result<()> {
    let (store, ix) = index(db).await?;
    let started = std::time::Instant::now();
    // Each account folded into the figures and the ranking as the analysis makes it: a
    // million exposures kept whole were about 170 MB.
    let mut fold = access::exposure::SummaryFold::default();
    let mut ranked = access::exposure::TopK::new(top);
    let mut analysed = 0usize;
    let links = ix.analyse_each(|e| {
        analysed += 1;
        fold.add(&access::exposure::Brief::of(&e));
        ranked.add((e.people, 0), || e);
    });
    let took = started.elapsed();
    let summary = fold.summary();
    let tops: Vec<access::exposure::Exposure> = ranked.into_sorted();
    let mut units: Vec<&access::exposure::UnitLinks> = links
        .iter()
        .filter(|u| u.people > 0 && u.outside_by_account + u.outside_met > 0)
        .collect();
    units.sort_by(|x, y| y.ratio().total_cmp(&x.ratio()));
    units.truncate(top);
    let ids: Vec<i64> = tops.iter().filter_map(|e| e.subject.person).collect();
    let names = store.pseudonyms_of(&ids).await?;
    let code = |id: i64| ix.snap.units[ix.unit_ix[&id]].code.clone();
    if json {
        let v = serde_json::json!({
            "summary": summary,
            "top": tops,
            "over_connected": units.iter().map(|u| serde_json::json!({"unit": code(u.unit_id), "links": u, "ratio": u.ratio()})).collect::<Vec<_>>(),
        });
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        let d = &summary.people;
        println!(
            "{} accounts ({} live, the rest as if invited). People exposed per account: median {}, 90% {}, 99% {}, most {} (mean {:.1}).",
            summary.subjects, summary.with_account, d.median, d.p90, d.p99, d.max, d.mean
        );
        println!(
            "By identity: median {}, most {}. Met in person: median {}, most {}.",
            summary.identities.median, summary.identities.max, summary.met.median, summary.met.max
        );
        println!("\nThe accounts that expose the most:");
        for e in &tops {
            let who = match e.subject.person {
                Some(p) => format!(
                    "{} (person {p})",
                    names.get(&p).cloned().unwrap_or_default()
                ),
                None => format!("account {}", e.subject.account.unwrap_or(0)),
            };
            println!(
                "  {:>7} people, {:>6} by identity, {:>4} met, {:>5} units  {who}",
                e.people,
                e.count("people_by_identity"),
                e.met,
                e.units_spanned
            );
        }
        println!("\nUnits known outside themselves (outsiders per person):");
        for u in &units {
            println!(
                "  {:>6.2}  {} ({} people; {} accounts outside show them, {} outside met them){}",
                u.ratio(),
                code(u.unit_id),
                u.people,
                u.outside_by_account,
                u.outside_met,
                if u.closed { " CLOSED" } else { "" }
            );
        }
    }
    eprintln!(
        "{} accounts analysed in {:.2} s",
        analysed,
        took.as_secs_f64()
    );
    Ok(())
}

async fn simulate(db: &DbArgs, s: &Scenario, cell: usize, json: bool) -> Result<()> {
    let (_, ix) = index(db).await?;
    let real = ix.network();
    let nets = [
        ("this organisation".to_string(), real.clone()),
        ("one loose network".to_string(), real.loose(s.seed)),
        (format!("cells of {cell}"), real.cells(cell)),
    ];
    let mut out = Vec::new();
    for (name, net) in &nets {
        let started = std::time::Instant::now();
        let r = net.simulate(s)?;
        eprintln!(
            "{name}: {} runs in {:.2} s",
            s.runs,
            started.elapsed().as_secs_f64()
        );
        out.push((name.clone(), r));
    }
    if json {
        let v: Vec<_> = out
            .iter()
            .map(|(n, r)| serde_json::json!({"structure": n, "report": r}))
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({"scenario": s, "results": v}))?
        );
        return Ok(());
    }
    let pct = |e: &core_rules::exposure::stats::Estimate| {
        format!(
            "{:5.1}% ({:.1}–{:.1})",
            100.0 * e.mean,
            100.0 * e.low.max(0.0),
            100.0 * e.high.min(1.0)
        )
    };
    println!(
        "{} people, {} in the closed core; {} runs, seed {}.",
        nets[0].1.people(),
        out[0].1.core_people,
        s.runs,
        s.seed
    );
    println!(
        "{:<20} {:<24} {:<24} closed core exposed",
        "structure", "exposed (95%)", "arrested"
    );
    for (n, r) in &out {
        println!(
            "{:<20} {:<24} {:<24} {}",
            n,
            pct(&r.exposed),
            pct(&r.arrested),
            pct(&r.core_exposed)
        );
    }
    Ok(())
}

async fn meeting(
    db: &DbArgs,
    unit: &str,
    everyone: bool,
    newcomers: usize,
    json: bool,
) -> Result<()> {
    let (store, ix) = index(db).await?;
    let Some(u) = store.unit_by_code(unit).await? else {
        bail!("there is no unit {unit:?}");
    };
    let r = ix
        .meeting_risk(
            u.id,
            everyone,
            newcomers,
            store.today(),
            &Assumptions::default(),
        )
        .context("the unit is not in the snapshot")?;
    if json {
        println!("{}", serde_json::to_string_pretty(&r)?);
        return Ok(());
    }
    println!(
        "{} people ({} newcomers); chance of an informer {:.1}%; they know {} people beyond the meeting.",
        r.size,
        r.newcomers,
        100.0 * r.informer,
        r.known_beyond
    );
    println!(
        "Risk: {} ({:.2} people expected to be exposed).",
        r.level, r.expected_exposed
    );
    for a in &r.advice {
        println!("- {a}");
    }
    Ok(())
}
