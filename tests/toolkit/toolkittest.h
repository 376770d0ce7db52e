#pragma once

// Helpers shared by the toolkit tests.

#include "support/storetestcase.h"
#include "support/testdatabase.h"
#include "support/testmain.h"

#include <QTest>
