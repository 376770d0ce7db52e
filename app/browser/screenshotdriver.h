#pragma once

#include <QObject>
#include <QString>
#include <QTimer>

namespace eventium::ui {
class MainWindow;
}

namespace eventium::browser {

// Behind the browser's --screenshot FILE: once the window is connected (and any sample data
// is written), selects a stream with several events and one of its events, saves a PNG of
// the window and quits the application (exit code 0 when saved, 1 when not). Gives up
// waiting after a minute and saves what is shown.
class ScreenshotDriver : public QObject
{
    Q_OBJECT
public:
    ScreenshotDriver(eventium::ui::MainWindow *window, QString file);

private:
    void step();
    void save();

    eventium::ui::MainWindow *m_window;
    QString m_file;
    QTimer m_timer;
    int m_ticks = 0;
};

} // namespace eventium::browser
