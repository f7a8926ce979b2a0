"""SVG bar charts from benchmark numbers, written by hand (no plotting library needed)."""
from xml.sax.saxutils import escape

COLORS = {"rdmarun": "#d9480f", "runc": "#1c7ed6", "crun": "#2b8a3e"}
WIDTH, LABEL_W, BAR_H, GAP = 760, 150, 14, 10


def panel(title, unit, groups, y):
    """One horizontal grouped-bar panel; groups = [(label, {runtime: value})]. Returns (svg parts, height)."""
    parts = [f'<text x="10" y="{y + 16}" font-weight="bold">{escape(title)}</text>']
    y += 28
    top = max((v for _, vals in groups for v in vals.values() if v is not None), default=1) or 1
    scale = (WIDTH - LABEL_W - 90) / top
    for label, vals in groups:
        parts.append(f'<text x="10" y="{y + BAR_H * len(vals) / 2 + 4}">{escape(label)}</text>')
        for rt, v in vals.items():
            if v is None:
                continue
            w = max(v * scale, 1)
            parts.append(f'<rect x="{LABEL_W}" y="{y}" width="{w:.1f}" height="{BAR_H - 2}" fill="{COLORS[rt]}"/>')
            parts.append(f'<text x="{LABEL_W + w + 4:.1f}" y="{y + BAR_H - 4}" font-size="11">{v:.1f} {unit}</text>')
            y += BAR_H
        y += GAP
    return parts, y


def write_svg(path, title, subtitle, panels):
    """panels = [(title, unit, groups)]; one SVG with a legend and the panels stacked."""
    parts, y = [], 50
    for t, unit, groups in panels:
        p, y = panel(t, unit, groups, y)
        parts += p
        y += 10
    legend = []
    for i, (rt, c) in enumerate(COLORS.items()):
        x = WIDTH - 280 + i * 90
        legend.append(f'<rect x="{x}" y="8" width="12" height="12" fill="{c}"/>')
        legend.append(f'<text x="{x + 16}" y="19">{rt}</text>')
    head = [f'<text x="10" y="20" font-size="15" font-weight="bold">{escape(title)}</text>',
            f'<text x="10" y="38" font-size="11" fill="#555">{escape(subtitle)}</text>']
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{y}" '
           f'font-family="sans-serif" font-size="12">\n<rect width="100%" height="100%" fill="white"/>\n'
           + "\n".join(head + legend + parts) + "\n</svg>\n")
    with open(path, "w") as f:
        f.write(svg)
