//! What every page shares: the frame (landmarks, navigation, styles for the screen and for
//! print), the live banner's script, and the error page.

use maud::{html, Markup, PreEscaped, DOCTYPE};
use travaux_core::Event;

use super::enc;
use crate::serve::error::ApiError;

/// The style sheet: readable type, high contrast (text #1a1a1a on white, links #0b4f9c), and a
/// print style without navigation, forms or the live banner.
const STYLE: &str = r#"
body{font:17px/1.5 Georgia,'Times New Roman',serif;color:#1a1a1a;background:#fff;margin:0}
header,nav,main,footer{max-width:62rem;margin:0 auto;padding:0 1rem}
header{border-bottom:2px solid #1a1a1a}
.skip{position:absolute;left:-999px}
.skip:focus{left:1rem;top:.5rem;background:#fff;padding:.3rem}
header p{margin:.4rem 0}
nav ul{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:1rem}
a{color:#0b4f9c}
a:focus,button:focus,select:focus,input:focus{outline:3px solid #b35900}
h1{font-size:1.6rem;line-height:1.25}
table{border-collapse:collapse;width:100%;font-size:.95rem}
th,td{border:1px solid #767676;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#ececec}
.clause{margin:.6rem 0}
.label{font-weight:bold;margin-right:.4rem}
del{color:#8b0000;background:#fde8e8;text-decoration:line-through}
ins{color:#004d00;background:#e3f4e3;text-decoration:underline}
mark{background:#fff1a8;color:#1a1a1a}
.pending{border-left:4px solid #b35900;padding-left:.6rem}
.note{font-size:.85rem;color:#3d3d3d;margin:.1rem 0 .6rem}
.columns{display:grid;grid-template-columns:1fr 1fr;gap:1rem}
.state{font-size:.95rem}
#live{background:#0b4f9c;color:#fff;padding:.6rem 1rem;margin:1rem 0}
#live a{color:#fff;font-weight:bold}
form.picker{background:#f4f4f4;padding:.6rem;margin:1rem 0}
footer{border-top:1px solid #767676;margin-top:2rem;font-size:.85rem;color:#3d3d3d}
@media print{
 nav,form,#live,.noprint{display:none !important}
 body{font-size:11pt;color:#000}
 a{color:#000;text-decoration:none}
 del,ins{background:none}
 .clause,tr{break-inside:avoid}
 header,main,footer{max-width:none}
}
"#;

/// A page: its title, the document it is about (for the navigation), the head to follow live
/// (the document and the event shown: set only on pages that show the head), and its body.
pub fn page(title: &str, doc: Option<&str>, live: Option<(&str, u64)>, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " — Travaux" }
                style { (PreEscaped(STYLE)) }
            }
            body {
                a.skip href="#main" { "Skip to the content" }
                header {
                    p { a href="/" { "Travaux" } " — the record of the negotiation" }
                }
                nav aria-label="Pages" {
                    ul {
                        li { a href="/" { "Documents" } }
                        @if let Some(doc) = doc {
                            li { a href=(format!("/d/{}", enc(doc))) { "Text" } }
                            li { a href=(format!("/d/{}/compare", enc(doc))) { "Comparative print" } }
                            li { a href=(format!("/d/{}/amendments", enc(doc))) { "Amendments" } }
                            li { a href=(format!("/d/{}/timeline", enc(doc))) { "Timeline" } }
                        }
                    }
                }
                main id="main" {
                    @if let Some((doc, seq)) = live {
                        div id="live" role="status" aria-live="polite" hidden {}
                        (live_script(doc, seq))
                    }
                    (body)
                }
                footer {
                    p { "Every page is computed from the append-only log, as the command line answers it. "
                        "Links that carry ?at=N show the same text for ever." }
                }
            }
        }
    }
}

/// Follow the document's events after `seq` and name what changed in a banner, with a link to
/// reload the page at the new head. Once the page is stale the stream is closed: the banner
/// has said what it must.
fn live_script(doc: &str, seq: u64) -> Markup {
    let kinds = serde_json::to_string(Event::KINDS).unwrap_or_else(|_| "[]".into());
    let url = format!("/v1/documents/{}/events?from={}", enc(doc), seq + 1);
    let url = serde_json::to_string(&url).unwrap_or_default();
    let script = format!(
        r#"(function(){{
if(!window.EventSource)return;
var box=document.getElementById('live'),last='';
var es=new EventSource({url});
function on(e){{
 var d={{}};try{{d=JSON.parse(e.data)}}catch(x){{}}
 last=(e.type||'event').replace(/_/g,' ')+(d.handle?' by '+d.handle:'')+' (event '+(d.seq||e.lastEventId)+')';
 box.textContent='';
 box.appendChild(document.createTextNode('The record has changed since this page was drawn: '+last+'. '));
 var a=document.createElement('a');a.href=location.pathname;a.textContent='Reload at the new head';a.id='live-reload';
 box.appendChild(a);box.hidden=false;box.setAttribute('data-seq',d.seq||e.lastEventId);
 // The page is stale: the banner has said so; stop following.
 es.close();
}}
{kinds}.forEach(function(k){{es.addEventListener(k,on)}});
es.onmessage=on;
}})();"#
    );
    html! { script { (PreEscaped(script)) } }
}

/// An error as a page, with its status and message.
pub fn error(e: &ApiError) -> Markup {
    let title = match e.status.as_u16() {
        401 => "A token is needed",
        403 => "Not open to you",
        404 => "Not found",
        _ => "The page cannot be shown",
    };
    page(
        title,
        None,
        None,
        html! {
            h1 { (title) }
            p { (e.message) }
            @if e.status.as_u16() == 401 {
                p { "Open the page once with " code { "?token=TOKEN" } " (a token from "
                    code { "travaux token issue" } "): the browser keeps it as a cookie." }
            }
            p { a href="/" { "The documents of the store" } }
        },
    )
}
