#pragma once

#include <functional>

class QTableView;

namespace eventium::ui {

// Calls `open` when a row's context menu is asked for in `table`: with the row under a right
// click (the mouse's menu arrives at the viewport), or -1 for the current row when the
// keyboard asks (the menu key, which arrives at the table, or Shift+F10). A right click below
// the rows opens nothing.
void onRowMenuRequest(QTableView *table, std::function<void(int row)> open);

} // namespace eventium::ui
