#include "iconprovider.h"

#include <QApplication>
#include <QHash>
#include <QImageReader>
#include <QStyle>

namespace eventium::ui {

namespace {

QStyle::StandardPixmap fallback(const QString &name)
{
    static const QHash<QString, QStyle::StandardPixmap> map = {
        {QStringLiteral("connect"), QStyle::SP_DriveNetIcon},
        {QStringLiteral("refresh"), QStyle::SP_BrowserReload},
        {QStringLiteral("append"), QStyle::SP_FileDialogNewFolder},
        {QStringLiteral("sample"), QStyle::SP_FileDialogDetailedView},
        {QStringLiteral("pause"), QStyle::SP_MediaPause},
        {QStringLiteral("play"), QStyle::SP_MediaPlay},
        {QStringLiteral("jump"), QStyle::SP_ArrowForward},
        {QStringLiteral("copy"), QStyle::SP_FileIcon},
        {QStringLiteral("stream"), QStyle::SP_FileDialogListView},
        {QStringLiteral("live"), QStyle::SP_MediaSeekForward},
        {QStringLiteral("about"), QStyle::SP_MessageBoxInformation},
        {QStringLiteral("eventium"), QStyle::SP_ComputerIcon},
        {QStringLiteral("sort"), QStyle::SP_ArrowDown},
        {QStringLiteral("subscriptions"), QStyle::SP_DialogApplyButton},
    };
    return map.value(name, QStyle::SP_FileIcon);
}

} // namespace

bool IconProvider::svgSupported()
{
    static const bool supported = QImageReader::supportedImageFormats().contains("svg");
    return supported;
}

QIcon IconProvider::icon(const QString &name)
{
    if (name.isEmpty())
        return {};
    if (svgSupported())
        return QIcon(QStringLiteral(":/icons/%1.svg").arg(name));
    if (auto *style = QApplication::style())
        return style->standardIcon(fallback(name));
    return {};
}

} // namespace eventium::ui
