#pragma once

// Helpers shared by the toolkit tests.

#include "support/testdatabase.h"

#include <QTest>
