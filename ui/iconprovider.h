#pragma once

#include <QIcon>
#include <QString>

namespace eventium::ui {

// The browser's icons: the SVGs under :/icons (drawn for Eventium) when Qt can render SVG,
// otherwise the closest icon of the current style, so a missing SVG plugin costs looks only.
class IconProvider
{
public:
    static QIcon icon(const QString &name);
    static bool svgSupported();
};

} // namespace eventium::ui
