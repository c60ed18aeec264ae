import { SpertError } from '@spert/core';
// The demo page: one self-contained HTML document (no CDN, no external assets). Everything the
// model or the user supplies reaches the DOM through textContent / setAttribute, never as markup.
// With `browser` it also offers "run in this browser" (the @spert/web build on the same model
// files), and with `serverless` it is the static page of spert-export --web, which has no server.
// spert-serve serves it at `/`; spert-export --web writes it as the static folder's index.html.

const STYLE = `
*{box-sizing:border-box}body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#222;background:#fafafa}
header{background:#1f2937;color:#fff;padding:12px 24px}header h1{margin:0;font-size:20px}
header small{opacity:.7}main{padding:16px 24px;max-width:1200px}
textarea{width:100%;min-height:90px;font:inherit;padding:8px;border:1px solid #bbb;border-radius:6px}
button{margin-top:8px;padding:6px 18px;font:inherit;border:0;border-radius:6px;background:#2563eb;color:#fff;cursor:pointer}
button:disabled{background:#94a3b8}#status{margin-left:12px;color:#555}#error{color:#b91c1c;white-space:pre-wrap}
#where{margin-left:16px;font-size:14px}#where[hidden]{display:none}
#legend span{display:inline-block;margin:4px 8px 0 0;padding:0 6px;border-radius:4px;font-size:12px}
.doc{margin-top:18px;background:#fff;border:1px solid #e5e7eb;border-radius:8px;padding:8px;overflow-x:auto}
svg text{font-family:system-ui,sans-serif}table{border-collapse:collapse;margin-top:8px;font-size:13px}
td,th{border:1px solid #e5e7eb;padding:2px 8px;text-align:left}
`;

const SCRIPT = `
(function(){
'use strict';
var PALETTE=['#7aecec','#feca74','#aa9cfc','#c887fb','#bfeeb7','#ff9561','#9cc9cc','#ffeb80','#e4e7d2','#ddd'];
var colours={};
function colour(type){if(!(type in colours)){colours[type]=PALETTE[Object.keys(colours).length%PALETTE.length];}return colours[type];}
function el(tag,attrs,text){var e=document.createElement(tag);for(var k in attrs)e.setAttribute(k,attrs[k]);if(text!==undefined)e.textContent=text;return e;}
var NS='http://www.w3.org/2000/svg';
function svg(tag,attrs,text){var e=document.createElementNS(NS,tag);for(var k in attrs)e.setAttribute(k,String(attrs[k]));if(text!==undefined)e.textContent=text;return e;}
var FONT='16px system-ui,sans-serif';var ctx=document.createElement('canvas').getContext('2d');ctx.font=FONT;
function width(s){return Math.ceil(ctx.measureText(s).width);}

function render(doc,index){
  var box=el('div',{'class':'doc','data-doc':String(index)});
  var tokens=doc.tokens,GAP=10,PAD=12,x=PAD,xs=[];
  for(var i=0;i<tokens.length;i++){var w=Math.max(width(tokens[i]),8);xs.push([x,x+w]);x+=w+GAP;}
  var totalW=Math.max(x+PAD,200);
  var ents=doc.entities.map(function(e,k){return {e:e,k:k,x0:xs[e.start][0]-3,x1:xs[e.end-1][1]+3};});
  ents.forEach(function(a){a.cx=(a.x0+a.x1)/2;});
  // displaCy-style levels: an arc sits above every arc it spans, so labels never collide vertically.
  // One arc per (head, tail) pair; several relation types between the same pair share its label.
  var pairs={},arcs=[];
  doc.relations.forEach(function(r){var key=r.head+'>'+r.tail;if(!(key in pairs)){var h=ents[r.head],t=ents[r.tail];pairs[key]={rels:[],head:r.head,tail:r.tail,a:Math.min(h.cx,t.cx),b:Math.max(h.cx,t.cx),from:h.cx,to:t.cx};arcs.push(pairs[key]);}pairs[key].rels.push(r);});
  arcs.sort(function(p,q){return (p.b-p.a)-(q.b-q.a);});
  var placed=[];arcs.forEach(function(c){var lvl=1;placed.forEach(function(p){if(p.a<c.b&&c.a<p.b)lvl=Math.max(lvl,p.level+1);});c.level=lvl;placed.push(c);});
  var maxLevel=arcs.reduce(function(m,c){return Math.max(m,c.level);},0);
  // Overlapping (nested) entities go to separate rows under the text: row 0 is highlighted
  // behind the words, further rows are coloured bars, each with its label.
  var byStart=ents.slice().sort(function(p,q){return p.e.start-q.e.start||q.e.end-p.e.end;});
  var rowEnds=[];byStart.forEach(function(a){var r=0;while(r<rowEnds.length&&rowEnds[r]>a.e.start)r++;rowEnds[r]=a.e.end;a.row=r;});
  var ROW=28,LEVEL=34,baseY=20+maxLevel*LEVEL+10,textY=baseY+22,height=textY+30+Math.max(0,rowEnds.length-1)*ROW;
  var s=svg('svg',{width:totalW,height:height,viewBox:'0 0 '+totalW+' '+height,role:'img','aria-label':'entities and relations'});
  s.appendChild(svg('title',{},'entities and relations'));
  ents.forEach(function(a){
    var g=svg('g',{'class':'entity','data-type':a.e.type,'data-start':a.e.start,'data-end':a.e.end,'data-row':a.row});
    if(a.row===0)g.appendChild(svg('rect',{x:a.x0,y:textY-17,width:a.x1-a.x0,height:24,rx:4,fill:colour(a.e.type)}));
    else g.appendChild(svg('rect',{x:a.x0,y:textY+a.row*ROW-4,width:a.x1-a.x0,height:6,rx:3,fill:colour(a.e.type)}));
    var lab=svg('text',{x:a.cx,y:textY+20+a.row*ROW,'text-anchor':'middle','font-size':11,'font-weight':'bold',fill:'#333','class':'entity-label'},a.e.type);
    g.appendChild(lab);g.appendChild(svg('title',{},a.e.type+' '+a.e.score.toFixed(3)));s.appendChild(g);
  });
  tokens.forEach(function(t,i){s.appendChild(svg('text',{x:xs[i][0],y:textY,'font-size':16,'class':'token'},t));});
  arcs.forEach(function(c){
    var top=baseY-c.level*LEVEL,y0=textY-19;
    var label=c.rels.map(function(r){return r.type;}).join(', ');
    var g=svg('g',{'class':'relation','data-head':c.head,'data-tail':c.tail});
    g.appendChild(svg('path',{d:'M'+c.from+','+y0+' C'+c.from+','+top+' '+c.to+','+top+' '+c.to+','+y0,fill:'none',stroke:'#444','stroke-width':1.5}));
    var dir=c.to>c.from?-1:1;
    g.appendChild(svg('path',{d:'M'+c.to+','+y0+' l'+(dir*5)+',-9 l'+(-dir*10)+',0 z',fill:'#444'}));
    var mid=(c.from+c.to)/2,labY=top+(y0-top)*0.25,lw=width(label)*0.75+10;
    g.appendChild(svg('rect',{x:mid-lw/2,y:labY-11,width:lw,height:15,fill:'#fff',rx:3}));
    g.appendChild(svg('text',{x:mid,y:labY,'text-anchor':'middle','font-size':12,'class':'relation-label'},label));
    g.appendChild(svg('title',{},c.rels.map(function(r){return r.type+' '+r.score.toFixed(3);}).join('\\n')));
    s.appendChild(g);
  });
  box.appendChild(s);
  var tbl=el('table');var hd=el('tr');['entity','type','score'].forEach(function(h){hd.appendChild(el('th',{},h));});tbl.appendChild(hd);
  doc.entities.forEach(function(e){var tr=el('tr');tr.appendChild(el('td',{},e.text));tr.appendChild(el('td',{},e.type));tr.appendChild(el('td',{},e.score.toFixed(3)));tbl.appendChild(tr);});
  doc.relations.forEach(function(r){var tr=el('tr');tr.appendChild(el('td',{},doc.entities[r.head].text+' \\u2192 '+doc.entities[r.tail].text));tr.appendChild(el('td',{},r.type));tr.appendChild(el('td',{},r.score.toFixed(3)));tbl.appendChild(tr);});
  box.appendChild(tbl);
  return box;
}

var CONFIG=JSON.parse(document.getElementById('page-config').textContent);
var form=document.getElementById('form'),input=document.getElementById('text'),btn=document.getElementById('go');
var out=document.getElementById('out'),status=document.getElementById('status'),errorBox=document.getElementById('error');
var inBrowser=document.getElementById('in-browser'),loading=null;
function showModel(m){
  document.getElementById('model').textContent=String(m.model&&m.model.model||m.model||'');
  var legend=document.getElementById('legend');legend.textContent='';
  (m.entityTypes||[]).forEach(function(t){var s=el('span',{},t);s.style.background=colour(t);legend.appendChild(s);});
}
// The browser build and the model load once, on first use (or at once on the static page).
function browserModel(){
  if(!loading){
    var b=CONFIG.browser,t0=performance.now();
    status.textContent='loading the model into this browser\\u2026';
    loading=import(new URL(b.bundle,location.href).href).then(function(mod){
      return mod.loadSpert(new URL(b.model,location.href).href,{onProgress:function(p){if(!p.done&&p.total)status.textContent='downloading '+p.file+' '+Math.round(100*p.loaded/p.total)+'%';}});
    }).then(function(s){
      status.textContent='model loaded in '+Math.round(performance.now()-t0)+' ms'+(s.loadStats.downloadedFiles.length===0?' (from the cache)':'');
      if(CONFIG.serverless)showModel(s.metadata());
      return s;
    });
    loading.catch(function(e){loading=null;errorBox.textContent=String(e&&e.message||e);status.textContent='';});
  }
  return loading;
}
if(CONFIG.browser){document.getElementById('where').hidden=false;}
if(CONFIG.serverless){inBrowser.checked=true;inBrowser.disabled=true;browserModel().catch(function(){});}
else fetch('metadata').then(function(r){return r.json();}).then(showModel).catch(function(){});
form.addEventListener('submit',function(ev){
  ev.preventDefault();
  var lines=input.value.split(/\\n+/).filter(function(l){return l.trim().length>0;});
  errorBox.textContent='';out.textContent='';if(lines.length===0){errorBox.textContent='Type some text first.';return;}
  btn.disabled=true;
  if(inBrowser.checked){
    browserModel().then(function(s){
      status.textContent='running in this browser\\u2026';var t0=performance.now();
      return s.predict(lines).then(function(preds){
        // The browser answers the service's prediction records: one renderer for both.
        preds.forEach(function(p,i){out.appendChild(render(p,i));});
        status.textContent='done in '+Math.round(performance.now()-t0)+' ms in this browser';
      });
    }).catch(function(e){errorBox.textContent=String(e&&e.message||e);status.textContent='';}).finally(function(){btn.disabled=false;});
    return;
  }
  status.textContent='running\\u2026';var t0=performance.now();
  fetch('predict',{method:'POST',headers:{'content-type':'application/json'},body:JSON.stringify({documents:lines.map(function(l){return {text:l};})})})
  .then(function(r){return r.json().then(function(b){return {ok:r.ok,body:b};});})
  .then(function(res){
    if(!res.ok){errorBox.textContent=res.body.code+': '+res.body.message;status.textContent='';return;}
    res.body.documents.forEach(function(d,i){out.appendChild(render(d,i));});
    status.textContent='done in '+Math.round(performance.now()-t0)+' ms';
  })
  .catch(function(e){errorBox.textContent=String(e);status.textContent='';})
  .finally(function(){btn.disabled=false;});
});
})();
`;

/** Options of {@link renderPage}. */
export interface PageOptions {
  /** Offers "run in this browser": the browser build's entry (spert-web.js) and the model folder, as URLs relative to the page. */
  browser?: { bundle: string; model: string };
  /** The static page of spert-export --web: no server behind it, predictions always run in the browser (needs `browser`). */
  serverless?: boolean;
}

/**
 * The Content-Security-Policy for a page with `browser`: the build is a module from the same
 * origin, onnxruntime-web compiles wasm and starts workers from its own files. The plain page's
 * policy (the service's today) forbids all three.
 */
export const BROWSER_PAGE_CSP = "default-src 'self'; script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval'; worker-src 'self' blob:; style-src 'unsafe-inline'; connect-src 'self'";

// JSON inside <script>: "</script>" or "<!--" in a value must not end or change the element.
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

/** The whole demo page as one HTML string (static: data arrives later through fetch, or from the browser build). */
export function renderPage(options: PageOptions = {}): string {
  if (options.serverless && !options.browser) throw new SpertError('INVALID_OPTION', 'renderPage: a serverless page needs the browser build (options.browser)');
  const title = options.serverless ? 'spert in the browser' : 'spert-serve';
  const config = { browser: options.browser ?? null, serverless: options.serverless === true };
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${title}</title><style>${STYLE}</style></head>
<body><header><h1>${title}</h1><small>joint entity and relation extraction &middot; model <span id="model"></span></small></header>
<main><form id="form"><label for="text">Text (one document per line)</label>
<textarea id="text" name="text" spellcheck="false" placeholder="John Smith works for Acme Corp in Berlin ."></textarea>
<div><button id="go" type="submit">Extract</button><label id="where" hidden><input type="checkbox" id="in-browser"> run in this browser</label><span id="status" role="status"></span></div></form>
<div id="legend"></div><div id="error" role="alert"></div><div id="out"></div></main>
<script type="application/json" id="page-config">${scriptJson(config)}</script>
<script>${SCRIPT}</script></body></html>`;
}
